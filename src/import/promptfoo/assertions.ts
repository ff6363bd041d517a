import { describeValue } from '../../scorers/text.js';
import type { PromptfooContext } from './context.js';
import { fileRef, isRecord } from './context.js';
import { graderChoice } from './graders.js';

/** An Assay assertion as written to a task file. */
export interface AssertionOut {
  type: string;
  value?: unknown;
  threshold?: number;
  weight?: number;
  metric?: string;
  grader?: string;
  options?: Record<string, unknown>;
}

/** promptfoo types Assay has under the same name. */
const SAME_NAME = new Set([
  'equals',
  'contains',
  'icontains',
  'contains-any',
  'contains-all',
  'starts-with',
  'regex',
  'is-json',
  'contains-json',
  'levenshtein',
  'rouge-n',
  'bleu',
  'javascript',
  'latency',
  'cost',
  'llm-rubric',
  'factuality',
  'g-eval',
  'answer-relevance',
  'similar',
]);

/** promptfoo types Assay has under another name or with options. */
const RENAMED: Record<string, { type: string; options?: Record<string, unknown> }> = {
  'icontains-any': { type: 'contains-any', options: { ignoreCase: true } },
  'icontains-all': { type: 'contains-all', options: { ignoreCase: true } },
  'is-valid-openai-tools-call': { type: 'tool-call' },
  'model-graded-closedqa': { type: 'closed-qa' },
  'model-graded-factuality': { type: 'factuality' },
};

const NO_LOGPROBS = 'needs token log-probabilities, which Assay does not record';
const COMPARES = 'compares the outputs of several targets; Assay scores each output on its own';
const RAG = 'RAG context assertions are not supported';

/** promptfoo types Assay cannot score, with the reason. */
const UNSUPPORTED: Record<string, string> = {
  python: 'Python assertions cannot run in Assay; rewrite the check as a javascript assertion',
  webhook: 'webhook assertions are not supported',
  ruby: 'Ruby assertions are not supported',
  perplexity: NO_LOGPROBS,
  'perplexity-score': NO_LOGPROBS,
  'select-best': COMPARES,
  'max-score': COMPARES,
  'assert-set': 'assertion sets are not supported; list their assertions directly',
  classifier: 'needs a HuggingFace classifier provider',
  moderation: 'needs a moderation API',
  'context-faithfulness': RAG,
  'context-recall': RAG,
  'context-relevance': RAG,
  'is-valid-openai-function-call':
    'the legacy functions API is not supported; use tools and is-valid-openai-tools-call',
  'is-sql': 'Assay has no SQL scorer',
  'contains-sql': 'Assay has no SQL scorer',
  'is-xml': 'Assay has no XML scorer',
  'contains-xml': 'Assay has no XML scorer',
  'is-html': 'Assay has no HTML scorer',
  'contains-html': 'Assay has no HTML scorer',
  'is-refusal': 'Assay has no refusal scorer; an llm-rubric can check it',
  'finish-reason': 'Assay does not score the finish reason',
  guardrails: 'guardrail results are not recorded',
  meteor: 'Assay has no METEOR scorer',
  gleu: 'Assay has no GLEU scorer',
  'word-count': 'Assay has no word-count scorer; a javascript assertion can count words',
};

/** Assay scorers that call a chat judge model, and so take `grader`. */
export const MODEL_GRADED = new Set(['llm-rubric', 'factuality', 'closed-qa', 'g-eval', 'answer-relevance']);
/** The Assay scorer that compares embeddings; its `grader` is an embeddings model. */
export const EMBEDDING_GRADED = 'similar';

const LIST_VALUED = new Set(['contains-any', 'contains-all', 'icontains-any', 'icontains-all']);
const SCHEMA_VALUED = new Set(['is-json', 'contains-json']);
const HANDLED_KEYS = new Set(['type', 'value', 'threshold', 'weight', 'metric', 'provider']);
const METRIC_NAME = /^[A-Za-z_][\w.-]*$/;

/** Whether `type` (without `not-`) is an assertion type promptfoo has, mapped or not. */
export function isPromptfooAssertionType(type: string): boolean {
  return SAME_NAME.has(type) || type in RENAMED || type in UNSUPPORTED;
}

/** Where an assertion is, for skip messages: `test "refund" assert[2]`. */
export interface AssertionPlace {
  owner: string;
  index: number;
  where: string;
}

/**
 * One promptfoo assertion as an Assay assertion, or undefined when it cannot be mapped (recorded
 * as skipped). Parts that do not carry over (a rubric prompt, a grader with settings) are recorded
 * and the rest of the assertion is kept.
 */
export async function convertAssertion(
  raw: unknown,
  place: AssertionPlace,
  context: PromptfooContext,
): Promise<AssertionOut | undefined> {
  const label = `${place.owner} assert[${place.index}]`;
  const skip = (what: string, reason: string) => context.skip(what, place.where, reason);
  if (!isRecord(raw) || ('$ref' in raw && !('type' in raw))) {
    skip(
      label,
      isRecord(raw)
        ? 'assertion templates ($ref) are not resolved; inline the assertion'
        : 'not an assertion object',
    );
    return undefined;
  }
  if (typeof raw.type !== 'string' || raw.type === '') {
    skip(label, 'the assertion has no type');
    return undefined;
  }
  const negated = raw.type.startsWith('not-');
  const base = negated ? raw.type.slice(4) : raw.type;
  const named = `${label} ${raw.type}`;
  const unsupported = UNSUPPORTED[base];
  if (unsupported || !isPromptfooAssertionType(base)) {
    skip(named, unsupported ?? `unknown assertion type "${raw.type}"`);
    return undefined;
  }
  if (raw.transform !== undefined) {
    skip(named, 'assertion `transform` is not supported (the scorer would see the untransformed output)');
    return undefined;
  }
  const target = RENAMED[base] ?? { type: base };
  const out: AssertionOut = { type: `${negated ? 'not-' : ''}${target.type}` };
  const options: Record<string, unknown> = { ...target.options };

  let value = raw.value;
  const ref = fileRef(value);
  if (ref !== undefined) {
    if (base === 'javascript') {
      skip(
        named,
        `javascript from a file (${String(value)}): promptfoo modules take (output, context), Assay's (output, { vars, expected, context }); adapt it and write value: file:<path>`,
      );
      return undefined;
    }
    value = await context.readValue(ref, place.where);
  }
  if (LIST_VALUED.has(base) && typeof value === 'string') {
    value = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }
  if (base === 'regex' && typeof value === 'string') {
    const converted = jsRegex(value);
    if (converted === undefined) {
      skip(named, `the pattern ${JSON.stringify(value)} is not a valid JavaScript regular expression`);
      return undefined;
    }
    if (converted !== value)
      context.note(`${named}: pattern ${JSON.stringify(value)} written as ${converted}`);
    value = converted;
  }
  if (SCHEMA_VALUED.has(base) && value !== undefined) options.schema = value;
  else if (value !== undefined) out.value = value;

  if (raw.threshold !== undefined && !isNumber(raw.threshold)) {
    // Dropping it would change the check (a cost or latency limit gone), so the assertion goes.
    skip(named, `"threshold" must be a number, got ${describeValue(raw.threshold)}; fix it and import again`);
    return undefined;
  }
  const threshold = convertThreshold(base, raw.threshold, out.value, named, context);
  if (threshold !== undefined) out.threshold = threshold;
  if (base === 'javascript' && typeof out.value === 'string')
    out.value = javascriptCode(out.value, named, context);
  if (isNumber(raw.weight) && raw.weight >= 0) out.weight = raw.weight;
  else if (raw.weight !== undefined)
    skip(
      `${named} weight`,
      `"weight" must be a number >= 0, got ${describeValue(raw.weight)}; weight 1 applies`,
    );
  if (typeof raw.metric === 'string' && raw.metric.trim() !== '') {
    out.metric = metricName(raw.metric);
    if (out.metric !== raw.metric)
      context.note(`${named}: metric "${raw.metric}" renamed to "${out.metric}"`);
  }
  if (raw.provider !== undefined) {
    const { choice, problem } = graderChoice(raw.provider);
    const judged = MODEL_GRADED.has(target.type) || target.type === EMBEDDING_GRADED;
    const grader = target.type === EMBEDDING_GRADED ? choice.embedding : choice.text;
    if (!judged) skip(`${named} provider`, `${raw.type} is not model-graded, so it has no grader`);
    else {
      if (grader) out.grader = grader;
      if (problem) skip(`${named} provider`, problem);
    }
  }
  if (Object.keys(options).length > 0) out.options = options;
  for (const key of Object.keys(raw)) {
    if (HANDLED_KEYS.has(key)) continue;
    skip(
      `${named} ${key}`,
      key === 'rubricPrompt'
        ? 'custom rubric prompts are not mapped; Assay uses its built-in judge prompt (or `prompt:` with a file)'
        : `the assertion setting "${key}" is not supported`,
    );
  }
  return out;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * promptfoo passes patterns to JavaScript, but configs often carry Python/PCRE-style leading inline
 * flags (`(?i)sorry`). Those become Assay's `/pattern/flags` form; a pattern that still does not
 * compile is undefined (skipped with its reason).
 */
function jsRegex(pattern: string): string | undefined {
  const inline = /^\(\?([ims]+)\)/.exec(pattern);
  const body = inline ? pattern.slice(inline[0].length) : pattern;
  const flags = inline ? [...new Set(inline[1])].join('') : '';
  try {
    new RegExp(body, flags);
  } catch {
    return undefined;
  }
  return inline ? `/${body}/${flags}` : pattern;
}

/** `Answer quality` → `answer_quality`: Assay metric names are identifiers. */
function metricName(metric: string): string {
  const trimmed = metric.trim();
  if (METRIC_NAME.test(trimmed)) return trimmed;
  const cleaned = trimmed.replace(/[^\w.-]+/g, '_').replace(/^[^A-Za-z_]+/, '');
  return cleaned || 'metric';
}

/** promptfoo's thresholds where Assay's default differs; the levenshtein one counts edits. */
const PROMPTFOO_DEFAULT_THRESHOLD: Record<string, number> = {
  similar: 0.75,
  'rouge-n': 0.75,
  levenshtein: 5,
};

/**
 * The threshold in Assay's terms. promptfoo's `levenshtein` passes within N edits, Assay's from a
 * similarity `1 - edits / longest`; N edits on the reference's length is that similarity whenever
 * the output is no longer than the reference.
 */
function convertThreshold(
  base: string,
  threshold: unknown,
  value: unknown,
  named: string,
  context: PromptfooContext,
): number | undefined {
  const written = typeof threshold === 'number' ? threshold : PROMPTFOO_DEFAULT_THRESHOLD[base];
  if (base !== 'levenshtein' || written === undefined) return written;
  if (typeof value !== 'string' || value.length === 0) {
    context.note(
      `${named}: the edit limit (${written}) needs a value to convert; Assay's default similarity applies`,
    );
    return undefined;
  }
  const similarity = Math.max(0, Math.floor((1 - written / Array.from(value).length) * 100) / 100);
  context.note(`${named}: at most ${written} edits becomes similarity >= ${similarity} (1 - edits / length)`);
  return similarity;
}

/** promptfoo checks read the test's vars as `context.vars`; Assay passes them as `vars`. */
function javascriptCode(code: string, named: string, context: PromptfooContext): string {
  const rewritten = code.replace(/\bcontext\.vars\b/g, 'vars');
  if (/\bcontext\./.test(rewritten)) {
    context.note(
      `${named}: uses context.*, which in Assay holds { task, latencyMs, usage, costUsd, prompt }`,
    );
  }
  return rewritten;
}
