/**
 * Deterministic content for every dialect: the answer is a pure function of the last user message, and
 * token counts use one fixed approximation, so usage figures are reproducible across runs.
 */
import { findArithmetic, formatNumber } from './arithmetic.js';
import { judgeAnswer } from './judge.js';

/** Characters per token in the mock's tokenizer approximation. */
export const CHARS_PER_TOKEN = 4;

const REPLY_WITH = /\b(?:reply|respond|answer)\s+with\s+(?:exactly\s*)?:?\s*(.+)/i;
const SAY = /\bsay\s+(?:exactly\s*)?:?\s*(.+)/i;
const WANTS_JSON = /\b(?:as|in)\s+json\b/i;
const QUOTED = /^(["'`])([\s\S]*)\1$/;

export interface AnswerOptions {
  /** Answer with a JSON object even if the message does not ask for one (e.g. `response_format`). */
  json?: boolean;
  /** Answer exactly this text, whatever the message (from the `x-mock-reply` header). */
  reply?: string;
}

/**
 * The mock's answer to `message`: the `reply` option when given; a grade for a judge prompt (see
 * `judge.ts`); the number for arithmetic ("What is 7 / 2?" → `3.5`), `X` for
 * "reply with X" / "say X", a small JSON object when asked "as JSON" / "in JSON" (wrapping the plain
 * answer), otherwise `Echo: <message>`.
 */
export function answer(message: string, options: AnswerOptions = {}): string {
  if (options.reply !== undefined) return options.reply;
  const judged = judgeAnswer(message);
  if (judged !== undefined) return judged;
  const number = findArithmetic(message);
  const plain = number !== undefined ? formatNumber(number) : (requestedReply(message) ?? `Echo: ${message}`);
  if (!options.json && !WANTS_JSON.test(message)) return plain;
  return JSON.stringify({ answer: number ?? plain });
}

/** Token estimate for a text of `length` characters: ceil(length / 4), at least 1. */
export function estimateTokens(length: number): number {
  return Math.max(1, Math.ceil(length / CHARS_PER_TOKEN));
}

/** Cuts `text` to at most `maxTokens` tokens of the approximation; `truncated` says whether it cut. */
export function truncateToTokens(text: string, maxTokens: number): { text: string; truncated: boolean } {
  const limit = maxTokens * CHARS_PER_TOKEN;
  if (text.length <= limit) return { text, truncated: false };
  return { text: text.slice(0, limit), truncated: true };
}

/** Splits `text` into pieces of one approximate token each, for streamed deltas. */
export function splitTokens(text: string): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += CHARS_PER_TOKEN) {
    pieces.push(text.slice(start, start + CHARS_PER_TOKEN));
  }
  return pieces;
}

/** The last line that asks for a reply wins: instructions at the top of a prompt are preamble. */
function requestedReply(message: string): string | undefined {
  let match: RegExpExecArray | null = null;
  const lines = message.split('\n');
  for (let index = lines.length - 1; index >= 0 && !match; index--) {
    match = REPLY_WITH.exec(lines[index]!) ?? SAY.exec(lines[index]!);
  }
  const requested = match?.[1]?.trim();
  if (!requested) return undefined;
  // A sentence-ending period is not part of the requested text; a quoted period is.
  const text = requested.endsWith('.') && !QUOTED.test(requested) ? requested.slice(0, -1) : requested;
  return QUOTED.exec(text)?.[2] ?? text;
}
