/**
 * The mock's judge: a deterministic grade for a judge prompt, recognised by its tagged blocks, in the
 * answer format Assay's built-in judge prompts ask for. Every judge prompt has an `<output>` block;
 * the other blocks are checked in this order, and the first one present decides the grader:
 *
 * - `<rubric>` (llm-rubric): the score is the share of the rubric's double-quoted phrases found in the
 *   output (case-insensitive substring); it passes when all are found. A rubric without quoted phrases
 *   passes any output that is not blank. Answers `{"reason", "score", "pass"}`.
 * - `<criteria>` (g-eval): the same phrase rule gives a share s; the score is `1 + round(4 s)` on 1–5.
 *   Answers `{"steps", "reason", "score"}`.
 * - `<expert_answer>` (factuality): compares key words (see `keyWords`) of the expert answer and the
 *   output. All of the expert's in the output: C when the output has no key word of its own, else B;
 *   some found and none of its own: A; otherwise D. Answers `{"reason", "choice"}`.
 * - `<reference>` (closed-qa): the score is the share of the reference's key words in the output; it
 *   passes when all are there. Answers `{"reason", "score", "pass"}`.
 * - `<question>` (answer-relevance): passes (score 1) unless the output is blank or a refusal (starts
 *   with "I don't know", "I do not know", "I cannot", "I can't", "Sorry" or "N/A"). Answers
 *   `{"reason", "score", "pass"}`.
 */

const PHRASE = /"([^"]+)"|“([^”]+)”/g;
const WORD = /[\p{L}\p{N}]+/gu;
const REFUSAL = /^(?:i don['’]t know|i do not know|i cannot|i can['’]t|sorry|n\/a)\b/i;

/** The mock judge's answer to `message`, or undefined when it is not a judge prompt. */
export function judgeAnswer(message: string): string | undefined {
  const output = section(message, 'output');
  if (output === undefined) return undefined;
  const rubric = section(message, 'rubric');
  if (rubric !== undefined) return gradeRubric(rubric, output);
  const criteria = section(message, 'criteria');
  if (criteria !== undefined) return gradeCriteria(criteria, output);
  const expert = section(message, 'expert_answer');
  if (expert !== undefined) return gradeFactuality(expert, output);
  const reference = section(message, 'reference');
  if (reference !== undefined) return gradeReference(reference, output);
  if (section(message, 'question') !== undefined) return gradeRelevance(output);
  return undefined;
}

/**
 * Key words of a text: its distinct lowercase words (runs of letters and digits) that contain a digit
 * or have at least 4 characters, so "is", "of" and "the" do not count but "5" and "Paris" do.
 */
export function keyWords(text: string): string[] {
  const words = text.toLowerCase().match(WORD) ?? [];
  return [...new Set(words.filter((word) => word.length >= 4 || /\p{N}/u.test(word)))];
}

/** The double-quoted phrases of a rubric, straight or curly quotes. */
export function quotedPhrases(text: string): string[] {
  return [...text.matchAll(PHRASE)].map((match) => (match[1] ?? match[2] ?? '').trim()).filter(Boolean);
}

function section(message: string, tag: string): string | undefined {
  const start = message.indexOf(`<${tag}>`);
  if (start < 0) return undefined;
  const from = start + tag.length + 2;
  const end = message.indexOf(`</${tag}>`, from);
  return end < 0 ? undefined : message.slice(from, end).trim();
}

interface PhraseCheck {
  share: number;
  reason: string;
}

function checkPhrases(text: string, output: string): PhraseCheck {
  const phrases = quotedPhrases(text);
  if (phrases.length === 0) {
    const blank = output.trim() === '';
    return {
      share: blank ? 0 : 1,
      reason: `no quoted phrase to look for; the output is ${blank ? '' : 'not '}blank`,
    };
  }
  const folded = output.toLowerCase();
  const missing = phrases.filter((phrase) => !folded.includes(phrase.toLowerCase()));
  const quoted = (list: string[]) => list.map((phrase) => JSON.stringify(phrase)).join(', ');
  const reason =
    missing.length === 0 ? `the output contains ${quoted(phrases)}` : `the output lacks ${quoted(missing)}`;
  return { share: (phrases.length - missing.length) / phrases.length, reason };
}

function gradeRubric(rubric: string, output: string): string {
  const { share, reason } = checkPhrases(rubric, output);
  return JSON.stringify({ reason, score: round(share), pass: share === 1 });
}

function gradeCriteria(criteria: string, output: string): string {
  const { share, reason } = checkPhrases(criteria, output);
  const steps = ['Read the criteria and note each quoted phrase.', 'Look for each phrase in the output.'];
  return JSON.stringify({ steps, reason, score: 1 + Math.round(4 * share) });
}

function gradeFactuality(expert: string, output: string): string {
  const expected = keyWords(expert);
  const given = new Set(keyWords(output));
  const found = expected.filter((word) => given.has(word));
  const own = [...given].filter((word) => !expected.includes(word));
  let choice: string;
  if (found.length === expected.length) choice = own.length === 0 ? 'C' : 'B';
  else choice = found.length > 0 && own.length === 0 ? 'A' : 'D';
  const reason = `the output has ${found.length} of ${expected.length} key words of the expert answer and ${own.length} of its own`;
  return JSON.stringify({ reason, choice });
}

function gradeReference(reference: string, output: string): string {
  const expected = keyWords(reference);
  const given = new Set(keyWords(output));
  const missing = expected.filter((word) => !given.has(word));
  const share = expected.length === 0 ? 1 : (expected.length - missing.length) / expected.length;
  const reason =
    missing.length === 0
      ? 'the output has every key word of the reference'
      : `the output lacks ${missing.map((word) => JSON.stringify(word)).join(', ')}`;
  return JSON.stringify({ reason, score: round(share), pass: missing.length === 0 });
}

function gradeRelevance(output: string): string {
  const text = output.trim();
  const problem = text === '' ? 'the output is blank' : REFUSAL.test(text) ? 'the output refuses' : undefined;
  return JSON.stringify(
    problem
      ? { reason: problem, score: 0, pass: false }
      : { reason: 'the output addresses the question', score: 1, pass: true },
  );
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
