/**
 * Reading a judge model's answer. Judges are asked for one JSON object, but real answers wrap it in
 * ```json fences, put prose around it, write Python literals, or skip JSON for "Score: 4/5" or a bare
 * "PASS". Each parser tries the JSON object first, then fallback patterns; when nothing usable is
 * found it throws `JudgeParseError`, which makes the assertion an error (never a pass).
 */
import { preview } from '../text.js';

/** How much of an unusable answer an error message quotes. */
export const QUOTED_ANSWER_LENGTH = 200;

/** A judge answer none of the parsers could read. Carries the judge's cost so the score keeps it. */
export class JudgeParseError extends Error {
  override name = 'JudgeParseError';
  /** What the judge call cost, when known; the failed score records it. */
  readonly costUsd: number | undefined;
  /** The judge's whole answer. */
  readonly answer: string;
  constructor(problem: string, answer: string, costUsd?: number | null) {
    super(`judge answer not understood (${problem}): ${preview(answer, QUOTED_ANSWER_LENGTH)}`);
    this.answer = answer;
    this.costUsd = typeof costUsd === 'number' ? costUsd : undefined;
  }
}

/** A pass/score/reason judgement. `pass` is undefined when the judge gave only a score. */
export interface Grade {
  /** 0..1 */
  score: number;
  pass: boolean | undefined;
  reason: string;
}

const REASON_KEYS = ['reason', 'reasoning', 'explanation', 'rationale', 'justification'];
const SCORE_KEYS = ['score', 'rating', 'grade'];
const PASS_KEYS = ['pass', 'passed', 'verdict', 'result'];
const CHOICE_KEYS = ['choice', 'answer', 'category', 'option', 'selection'];

/** Reads `{"reason", "score", "pass"}`, else `Score: 0.8` / `Score: 4/5` / `80%` / `PASS` / `Verdict: fail`. */
export function parseGrade(text: string, costUsd?: number | null): Grade {
  const object = findJsonObject(
    text,
    (candidate) => hasKey(candidate, SCORE_KEYS) || hasKey(candidate, PASS_KEYS),
  );
  let score: number | undefined;
  let pass: boolean | undefined;
  let reason: string;
  if (object) {
    const rawScore = field(object, SCORE_KEYS);
    score = rawScore === undefined ? undefined : unitScore(rawScore);
    if (rawScore !== undefined && score === undefined) {
      throw new JudgeParseError(
        `score ${JSON.stringify(rawScore)} is not a number from 0 to 1`,
        text,
        costUsd,
      );
    }
    const rawPass = field(object, PASS_KEYS);
    pass = rawPass === undefined ? undefined : passValue(rawPass);
    if (rawPass !== undefined && pass === undefined) {
      throw new JudgeParseError(`pass ${JSON.stringify(rawPass)} is not true or false`, text, costUsd);
    }
    reason = reasonOf(object, text);
  } else {
    const found = scoreInText(text);
    if (found !== undefined && found.score === undefined) {
      throw new JudgeParseError(`score ${found.text} is not a number from 0 to 1`, text, costUsd);
    }
    score = found?.score;
    pass = passInText(text);
    reason = reasonInText(text);
  }
  if (score === undefined && pass === undefined) {
    throw new JudgeParseError('no score or pass/fail verdict', text, costUsd);
  }
  return { score: score ?? (pass ? 1 : 0), pass, reason };
}

/** Reads an integer-scale rating such as G-Eval's 1–5: `{"score": 4}`, `Score: 4`, `4/5`, `Rating: 4 out of 5`. */
export function parseRating(
  text: string,
  min: number,
  max: number,
  costUsd?: number | null,
): { rating: number; reason: string } {
  const object = findJsonObject(text, (candidate) => hasKey(candidate, SCORE_KEYS));
  const raw = object ? field(object, SCORE_KEYS) : ratingInText(text, max);
  if (raw === undefined) throw new JudgeParseError(`no score from ${min} to ${max}`, text, costUsd);
  const rating = scaleValue(raw, max);
  if (rating === undefined || rating < min || rating > max) {
    throw new JudgeParseError(`score ${JSON.stringify(raw)} is not from ${min} to ${max}`, text, costUsd);
  }
  return { rating, reason: object ? reasonOf(object, text) : reasonInText(text) };
}

/** Reads a multiple-choice letter: `{"choice": "C"}`, `Answer: (C)`, `… so the choice is C`, or just `C`. */
export function parseChoice(
  text: string,
  letters: string,
  costUsd?: number | null,
): { choice: string; reason: string } {
  const object = findJsonObject(text, (candidate) => hasKey(candidate, CHOICE_KEYS));
  if (object) {
    const raw = field(object, CHOICE_KEYS);
    const choice = typeof raw === 'string' ? leadingLetter(raw, letters) : undefined;
    if (!choice) {
      throw new JudgeParseError(
        `choice ${JSON.stringify(raw)} is not one of ${[...letters].join(', ')}`,
        text,
        costUsd,
      );
    }
    return { choice, reason: reasonOf(object, text) };
  }
  const choice = choiceInText(text, letters);
  if (!choice) throw new JudgeParseError(`no choice among ${[...letters].join(', ')}`, text, costUsd);
  return { choice, reason: reasonInText(text) };
}

/**
 * The first JSON object in `text` that `accept` takes: the whole text, a fenced block, or an object
 * amid prose; Python-style literals (`True`, single quotes) and trailing commas are repaired.
 */
export function findJsonObject(
  text: string,
  accept: (candidate: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> | undefined {
  const sources = [...fencedBlocks(text), text];
  for (const source of sources) {
    for (const candidate of objectSlices(source)) {
      const parsed = parseLenient(candidate);
      if (parsed && accept(parsed)) return parsed;
    }
  }
  return undefined;
}

function fencedBlocks(text: string): string[] {
  return [...text.matchAll(/```[\w-]*[ \t]*\r?\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** Every balanced `{…}` of `source`, outermost first, skipping braces inside strings. */
function* objectSlices(source: string): Generator<string> {
  for (let start = source.indexOf('{'); start >= 0; start = source.indexOf('{', start + 1)) {
    const end = matchingBrace(source, start);
    if (end !== undefined) yield source.slice(start, end + 1);
  }
}

function matchingBrace(source: string, start: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let index = start; index < source.length; index++) {
    const char = source[index];
    if (quote) {
      if (char === '\\') index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"') quote = char;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return index;
  }
  return undefined;
}

function parseLenient(candidate: string): Record<string, unknown> | undefined {
  const attempts = [candidate, repair(candidate)];
  for (const attempt of attempts) {
    try {
      const value: unknown = JSON.parse(attempt);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return value as Record<string, unknown>;
      }
    } catch {
      // try the next form
    }
  }
  return undefined;
}

/** Python dict literals and trailing commas, the two near-JSON forms judges write most. */
function repair(candidate: string): string {
  let text = candidate.replace(/,\s*([}\]])/g, '$1');
  if (!text.includes('"')) text = text.replace(/'/g, '"');
  return text
    .replace(/\bTrue\b/g, 'true')
    .replace(/\bFalse\b/g, 'false')
    .replace(/\bNone\b/g, 'null');
}

function hasKey(object: Record<string, unknown>, names: readonly string[]): boolean {
  return field(object, names) !== undefined;
}

/** The value of the first of `names` present in `object`, keys compared case-insensitively. */
function field(object: Record<string, unknown>, names: readonly string[]): unknown {
  const keys = new Map(Object.keys(object).map((key) => [key.trim().toLowerCase(), key]));
  for (const name of names) {
    const key = keys.get(name);
    if (key !== undefined && object[key] !== undefined && object[key] !== null) return object[key];
  }
  return undefined;
}

function reasonOf(object: Record<string, unknown>, text: string): string {
  const reason = field(object, REASON_KEYS);
  if (typeof reason === 'string' && reason.trim()) return reason.trim();
  if (Array.isArray(reason)) return reason.map(String).join(' ');
  // No reason field: whatever prose surrounds the object is the judge's explanation.
  return reasonInText(text.replace(/```[\w-]*[ \t]*\r?\n[\s\S]*?```/g, '').replace(/\{[\s\S]*\}/, ''));
}

/** A 0..1 score from a number, `"0.8"`, `"4/5"` or `"80%"`; undefined outside 0..1. */
function unitScore(raw: unknown): number | undefined {
  const value = scaleValue(raw, 1);
  return value !== undefined && value >= 0 && value <= 1 ? value : undefined;
}

/** A number on a scale whose top is `max`: `4`, `"4"`, `"4/5"` (rescaled to `max`), `"80%"`. */
function scaleValue(raw: unknown, max: number): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*(?:(%)|(?:\/|out of)\s*(\d+(?:\.\d+)?))?\s*$/i.exec(raw);
  if (!match) return undefined;
  const value = Number(match[1]);
  if (match[2]) return (value / 100) * max;
  if (match[3] !== undefined) {
    const scale = Number(match[3]);
    return scale > 0 ? (value / scale) * max : undefined;
  }
  return value;
}

function passValue(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (raw === 1 || raw === 0) return raw === 1;
  if (typeof raw !== 'string') return undefined;
  const word = raw.trim().toLowerCase();
  if (['true', 'yes', 'pass', 'passed', 'y'].includes(word)) return true;
  if (['false', 'no', 'fail', 'failed', 'n'].includes(word)) return false;
  return undefined;
}

// `Score: 0.8`, `**Score:** 4/5`, `score = 80%`, `Final score: 3 out of 5`; the last one counts.
const SCORE_IN_TEXT =
  /\bscore\b[*_\s]*(?:is|of|=|:)?[*_\s]*(-?\d+(?:\.\d+)?\s*(?:%|(?:\/|out of)\s*\d+(?:\.\d+)?)?)/gi;

function scoreInText(text: string): { text: string; score: number | undefined } | undefined {
  const match = [...text.matchAll(SCORE_IN_TEXT)].at(-1);
  if (!match?.[1]) return undefined;
  return { text: match[1].trim(), score: unitScore(match[1]) };
}

function ratingInText(text: string, max: number): string | undefined {
  const labelled = [
    ...text.matchAll(
      /\b(?:score|rating)\b[*_\s]*(?:is|of|=|:)?[*_\s]*(\d+(?:\.\d+)?(?:\s*(?:\/|out of)\s*\d+)?)/gi,
    ),
  ];
  const last = labelled.at(-1)?.[1];
  if (last) return last;
  const fraction = [...text.matchAll(new RegExp(`\\b(\\d+(?:\\.\\d+)?\\s*\\/\\s*${max})\\b`, 'g'))].at(
    -1,
  )?.[1];
  if (fraction) return fraction;
  return /^\s*(\d+(?:\.\d+)?)\s*\.?\s*$/.exec(text)?.[1];
}

// `Verdict: PASS`, `pass: false`, `Result: failed`; otherwise an upper-case PASS or FAIL word.
const LABELLED_PASS =
  /\b(?:pass(?:ed)?|verdict|result|grade)\b[*_\s]*[:=][*_\s]*(true|false|yes|no|pass(?:ed)?|fail(?:ed)?)\b/gi;
const SHOUTED_PASS = /\b(PASS(?:ED)?|FAIL(?:ED)?)\b/g;

function passInText(text: string): boolean | undefined {
  const match = [...text.matchAll(LABELLED_PASS)].at(-1) ?? [...text.matchAll(SHOUTED_PASS)].at(-1);
  return match?.[1] === undefined ? undefined : passValue(match[1]);
}

function choiceInText(text: string, letters: string): string | undefined {
  const set = `[${letters}]`;
  const patterns = [
    new RegExp(
      `\\b(?:[Cc]hoice|[Aa]nswer|[Cc]ategory|[Oo]ption|[Ss]election)\\b[*_\\s]*(?:is)?[*_\\s:=]*\\(?(${set})\\)?(?![\\w])`,
      'g',
    ),
    new RegExp(`\\((${set})\\)`, 'g'),
    new RegExp(`^[*_\\s]*\\(?(${set})\\)?[*_\\s.]*$`, 'gm'),
  ];
  for (const pattern of patterns) {
    const match = [...text.matchAll(pattern)].at(-1);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function leadingLetter(raw: string, letters: string): string | undefined {
  const match = /^[\s(*_]*([A-Za-z])(?:[\s).:*_]|$)/.exec(raw);
  const letter = match?.[1]?.toUpperCase();
  return letter && letters.includes(letter) ? letter : undefined;
}

/** `Reason: …` when the judge labelled it, else the whole answer on one line. */
function reasonInText(text: string): string {
  const labelled = /\b(?:reason(?:ing)?|explanation|rationale)\b[*_\s]*[:=][*_\s]*(.+)/i.exec(text)?.[1];
  return (labelled ?? text).replace(/\s+/g, ' ').trim();
}
