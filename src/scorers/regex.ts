import { UserError } from '../errors.js';
import type { Scorer } from './scorer.js';
import { rejectExtras } from './scorer-options.js';
import { clip, describeValue, preview } from './text.js';

/** `/pattern/flags`; the pattern is everything up to the last slash. */
const SLASH_FORM = /^\/([\s\S]+)\/([a-z]*)$/;

const ESCAPE_HINT =
  'escape special characters ( ) [ ] { } . * + ? ^ $ | \\ with a backslash; in YAML, single-quote the ' +
  "pattern so backslashes stay literal (value: '\\d+')";

/**
 * Regular-expression match against the output with surrounding whitespace trimmed (so `^\d+$`
 * accepts `"42\n"`). `spec.value` is a pattern, either bare (`\d+`) or as `/pattern/flags`.
 */
export const regexScorer: Scorer = {
  name: 'regex',
  version: '1',
  prepare(spec, where) {
    rejectExtras('regex', spec, where);
    const regex = compile(spec.value, where);
    const shown = clip(String(regex));
    return ({ output }) => {
      // `g` and `y` make `test` start at `lastIndex`; every output starts afresh.
      regex.lastIndex = 0;
      const text = output.trim();
      return regex.test(text)
        ? { value: 1, pass: true, reason: `matches ${shown}` }
        : { value: 0, pass: false, reason: `no match for ${shown} in ${preview(text)}` };
    };
  },
};

function compile(value: unknown, where: string): RegExp {
  if (typeof value !== 'string' || value === '') {
    throw new UserError(
      `regex needs a non-empty pattern string in "value", got ${describeValue(value)}`,
      where,
      `for example value: '^\\d+$' or value: '/yes|no/i'`,
    );
  }
  const slashForm = SLASH_FORM.exec(value);
  const source = slashForm?.[1] ?? value;
  const flags = slashForm?.[2] ?? '';
  try {
    return new RegExp(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const badFlags = slashForm !== null && reason.startsWith('Invalid flags');
    throw new UserError(
      `invalid regex ${JSON.stringify(value)}: ${reason}`,
      where,
      badFlags
        ? `valid flags are d g i m s u v y; to match a leading "/" literally, write it as "\\/"`
        : ESCAPE_HINT,
      { cause: error },
    );
  }
}
