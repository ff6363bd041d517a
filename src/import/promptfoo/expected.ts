import { isPromptfooAssertionType } from './assertions.js';

/** Short names promptfoo accepts in CSV `__expected` cells. */
const ALIASES: Record<string, string> = { fn: 'javascript', eval: 'javascript', grade: 'llm-rubric' };
const WITH_VALUE = /^(not-)?([a-z][a-z0-9-]*)(?:\((\d+(?:\.\d+)?)\))?:([\s\S]*)$/;
const BARE = /^(not-)?([a-z][a-z0-9-]*)$/;

/**
 * A promptfoo CSV `__expected` cell as a promptfoo assertion: `contains: Paris`, `not-icontains:sorry`,
 * `similar(0.8): text`, `grade: is polite`, a bare `is-json`; `file://check.js` / `.py` run code;
 * anything else is the exact expected output (`equals`). Empty cells give nothing.
 */
export function parseExpected(cell: string): Record<string, unknown> | undefined {
  const text = cell.trim();
  if (text === '') return undefined;
  if (text.startsWith('file://')) {
    return { type: /\.py(:\w+)?$/.test(text) ? 'python' : 'javascript', value: text };
  }
  const withValue = WITH_VALUE.exec(text);
  if (withValue) {
    const [, not = '', written = '', threshold, value = ''] = withValue;
    const type = ALIASES[written] ?? written;
    if (isPromptfooAssertionType(type)) {
      return {
        type: `${not}${type}`,
        value: value.trim(),
        ...(threshold !== undefined ? { threshold: Number(threshold) } : {}),
      };
    }
  }
  const bare = BARE.exec(text);
  const bareType = bare?.[2] ?? '';
  if ((bareType.startsWith('is-') || bareType === 'contains-json') && isPromptfooAssertionType(bareType)) {
    return { type: text };
  }
  return { type: 'equals', value: text };
}
