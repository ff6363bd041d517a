import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../errors.js';
import { CheckLoadError, ChecksClosedError } from '../user-code/check-worker.js';
import { TimeLimitError } from '../user-code/time-limit.js';
import type { UserCode } from '../user-code/user-code.js';
import type { ScoreInput, Scorer, ScoreVerdict } from './scorer.js';
import { formatScore, reaches, readOptions, unitThreshold } from './scorer-options.js';
import { clip, describeValue, preview } from './text.js';

/** Default score a returned number needs to pass. */
const DEFAULT_THRESHOLD = 0.5;
const FILE_PREFIX = 'file:';
const MODULE_EXTENSION = /\.(?:[cm]?js|[cm]?ts)$/i;
/** Finds jiti, which the check worker loads TypeScript modules with (resolved from Assay's own install). */
const JITI = createRequire(import.meta.url);
/** The names inline code sees. */
const PARAMETERS = ['output', 'vars', 'expected', 'context'] as const;

/** What a check sees of the call besides the output, vars and expected text. */
export interface JavascriptContext {
  task: ScoreInput['task'];
  latencyMs: number;
  usage: ScoreInput['usage'];
  costUsd: number | null;
  prompt: ScoreInput['prompt'];
}

/**
 * A check written in JavaScript. `value` is inline code, an expression (`output.length < 200`) or
 * a function body with `return`, seeing `output`, `vars` (the task's vars), `expected` (the task's
 * expected text) and `context` (`{ task, latencyMs, usage, costUsd, prompt }`); inline code is
 * compiled at prepare and runs in the run's check worker thread (`UserCode`), its arguments and
 * result passed as plain data. Or `value` is `file:<path>` to a .js/.mjs/.ts module, relative to
 * the config, whose default export `(output, { vars, expected, context })` may be async; it is
 * loaded in the check worker on first use. Either way a call that runs past the time limit
 * (`defaults.code_timeout`) fails the assertion with `TimeLimitError`.
 *
 * The check returns `true`/`false` (value 1/0), a number from 0 to 1 (the value; passes from
 * `threshold`, default 0.5), or `{ pass?, score?, reason? }` with `pass` or `score` (a missing
 * `pass` is `score >= threshold`; a missing `score` is 1 or 0). A check that throws fails the
 * assertion with its message.
 */
export const javascriptScorer: Scorer = {
  name: 'javascript',
  // 2: one expression ending in `;` is read as an expression (it returned nothing before).
  version: '2',
  prepare(spec, where, task, context) {
    readOptions('javascript', spec, where, []);
    const threshold = unitThreshold('javascript', spec, where, DEFAULT_THRESHOLD);
    const code = spec.value;
    if (typeof code !== 'string' || code.trim() === '') {
      throw new UserError(
        `javascript needs code or "file:<path>" in "value", got ${describeValue(code)}`,
        where,
        'for example value: "output.trim().length < 200" or value: file:checks/tone.ts',
      );
    }
    const label = code.startsWith(FILE_PREFIX)
      ? code.trim()
      : `\`${clip(code.trim().replace(/\s+/g, ' '), 60)}\``;
    const run = code.startsWith(FILE_PREFIX)
      ? moduleRunner(code.slice(FILE_PREFIX.length).trim(), where, context.baseDir, context.userCode)
      : inlineRunner(code, label, where, context.userCode);
    return (input) => {
      const checkContext: JavascriptContext = {
        task: input.task,
        latencyMs: input.latencyMs,
        usage: input.usage,
        costUsd: input.costUsd,
        prompt: input.prompt,
      };
      const result = run(input.output, task.vars, task.expected, checkContext);
      return result instanceof Promise
        ? result.then((value) => verdictOf(value, threshold, label))
        : verdictOf(result, threshold, label);
    };
  },
};

type Runner = (output: string, vars: unknown, expected: unknown, context: JavascriptContext) => unknown;

function inlineRunner(code: string, label: string, where: string, userCode: UserCode): Runner {
  const check = userCode.checks.define({ parameters: [...PARAMETERS], body: inlineBody(code, where) }, label);
  return (...args) =>
    check(...args).catch((error: unknown) => {
      if (error instanceof TimeLimitError || error instanceof ChecksClosedError) throw error;
      throw new Error(`javascript check threw: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    });
}

/**
 * The function body that runs inline code, chosen as promptfoo reads it: an expression
 * (`output.length < 100`, also when it ends with `;` or spans lines), else a function body that
 * returns. Syntax errors are the user's.
 */
function inlineBody(code: string, where: string): string {
  const source = code.trimEnd();
  const readings = [
    // The newlines keep a trailing `// comment` from swallowing the closing parenthesis.
    `'use strict';\nreturn (\n${source}\n);`,
    // promptfoo's reading of one line: `output.length < 100;`, `output === "ok"; // exact`.
    ...(source.includes('\n') ? [] : [`'use strict';\nreturn ${source}`]),
    // An expression over several lines that ends with `;`.
    ...(source.endsWith(';') ? [`'use strict';\nreturn (\n${source.replace(/;+$/, '')}\n);`] : []),
    `'use strict';\n${source}`,
  ];
  const errors: unknown[] = [];
  for (const body of readings) {
    try {
      new Function(...PARAMETERS, body);
      return body;
    } catch (error) {
      errors.push(error);
    }
  }
  // Code that says return meant a function body; otherwise the expression's error reads better.
  const error = /\breturn\b/.test(source) ? errors.at(-1) : errors[0];
  throw new UserError(
    `javascript: syntax error in ${preview(code)}: ${error instanceof Error ? error.message : String(error)}`,
    where,
    'write an expression (output.includes("Paris")) or a function body that returns (const n = output.length; return n < 200)',
    { cause: error },
  );
}

function moduleRunner(written: string, where: string, baseDir: string, userCode: UserCode): Runner {
  if (!MODULE_EXTENSION.test(written)) {
    throw new UserError(
      `javascript module must be a .js, .mjs, .cjs, .ts, .mts or .cts file, got ${describeValue(written)}`,
      where,
      'for example value: file:checks/tone.ts',
    );
  }
  const file = path.resolve(baseDir, written);
  if (!existsSync(file)) {
    throw new UserError(
      `javascript module not found: ${written}`,
      where,
      `create ${file} or fix the path (relative to the config)`,
    );
  }
  const label = `${FILE_PREFIX}${written}`;
  const check = userCode.checks.define(
    { module: file, name: `javascript module ${written}`, jiti: JITI.resolve('jiti') },
    label,
  );
  return (output, vars, expected, context) =>
    check(output, { vars, expected, context }).catch((error: unknown) => {
      if (
        error instanceof TimeLimitError ||
        error instanceof ChecksClosedError ||
        error instanceof CheckLoadError
      ) {
        throw error;
      }
      throw new Error(`${written} threw: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    });
}

function verdictOf(result: unknown, threshold: number, label: string): ScoreVerdict {
  if (typeof result === 'boolean') {
    return { value: result ? 1 : 0, pass: result, reason: `${label} returned ${result}` };
  }
  if (typeof result === 'number') {
    const score = checkScore(result, label);
    const pass = reaches(score, threshold);
    return {
      value: score,
      pass,
      reason: `${label} returned ${formatScore(score)} ${pass ? '>=' : '<'} threshold ${threshold}`,
    };
  }
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const { pass, score, reason } = result as { pass?: unknown; score?: unknown; reason?: unknown };
    if (pass !== undefined && typeof pass !== 'boolean') {
      throw new TypeError(`${label} returned pass ${describeValue(pass)}; pass must be true or false`);
    }
    if (reason !== undefined && typeof reason !== 'string') {
      throw new TypeError(`${label} returned reason ${describeValue(reason)}; reason must be a string`);
    }
    if (pass === undefined && score === undefined) {
      throw new TypeError(`${label} returned ${describeValue(result)}, with neither pass nor score`);
    }
    const value = score === undefined ? (pass ? 1 : 0) : checkScore(score, label);
    const passed = pass ?? reaches(value, threshold);
    return {
      value,
      pass: passed,
      reason:
        reason ??
        `${label} returned ${passed ? 'pass' : 'fail'}${score === undefined ? '' : ` (score ${formatScore(value)})`}`,
    };
  }
  throw new TypeError(
    `${label} returned ${describeValue(result)}; return true/false, a number from 0 to 1, or { pass, score?, reason? }`,
  );
}

function checkScore(score: unknown, label: string): number {
  if (typeof score === 'number' && score >= 0 && score <= 1) return score;
  throw new RangeError(`${label} returned score ${describeValue(score)}; a score must be from 0 to 1`);
}
