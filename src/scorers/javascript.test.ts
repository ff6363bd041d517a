import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssertionSpec } from '../types.js';
import { UserCode } from '../user-code/user-code.js';
import { javascriptScorer } from './javascript.js';
import type { ScoreFunction } from './registry.js';
import { standalonePrepareContext } from './registry.js';
import type { PrepareContext, ScoreInput } from './scorer.js';
import { CONTEXT, expectUserError, makeInput, makeTask, WHERE } from './test-helpers.js';

const check = (value: string, output: string, extra: Omit<AssertionSpec, 'type' | 'value'> = {}) =>
  score(
    javascriptScorer.prepare({ type: 'javascript', value, ...extra }, WHERE, makeTask(), CONTEXT),
    output,
  );

async function score(run: ScoreFunction, output: string, overrides: Partial<ScoreInput> = {}) {
  return await run(makeInput(output, overrides));
}

describe('javascript (inline)', () => {
  it('runs an expression returning a boolean', async () => {
    expect(await check('output.length < 10', 'short')).toEqual({
      value: 1,
      pass: true,
      reason: '`output.length < 10` returned true',
    });
    expect(await check('output.length < 10', 'far too long an answer')).toEqual({
      value: 0,
      pass: false,
      reason: '`output.length < 10` returned false',
    });
  });

  it('runs a function body with return', async () => {
    const body = 'const words = output.split(/\\s+/);\nreturn words.length / 10;';
    expect(await check(body, 'one two three four five')).toEqual({
      value: 0.5,
      pass: true,
      reason: '`const words = output.split(/\\s+/); return words.length / 10;` returned 0.5 >= threshold 0.5',
    });
    expect((await check(body, 'one two three four five', { threshold: 0.6 })).pass).toBe(false);
  });

  it("reads one expression ending in a semicolon as promptfoo's examples write it", async () => {
    expect(await check('output.length < 100;', 'short')).toEqual({
      value: 1,
      pass: true,
      reason: '`output.length < 100;` returned true',
    });
    expect((await check('output.includes("Paris"); // the capital', 'Paris')).pass).toBe(true);
    expect((await check('output.length < 100;\n', 'x'.repeat(200))).pass).toBe(false);
    expect((await check('output.startsWith("a") &&\n  output.endsWith("z");', 'abcz')).pass).toBe(true);
  });

  it('gives the code vars, expected and context', async () => {
    const task = makeTask({ vars: { city: 'Paris' }, expected: 'paris' });
    const code =
      'output === vars.city && output.toLowerCase() === expected && context.latencyMs === 250 && ' +
      'context.costUsd === 0.5 && context.task.id === "add-1" && context.prompt.length === 1 && ' +
      'context.usage.inputTokens === 10';
    const run = javascriptScorer.prepare({ type: 'javascript', value: code }, WHERE, task, CONTEXT);
    expect((await score(run, 'Paris', { task, latencyMs: 250, costUsd: 0.5 })).pass).toBe(true);
  });

  it('accepts { pass, score, reason } and fills in what is missing', async () => {
    expect(await check('({ pass: false, score: 0.3, reason: "too vague" })', 'x')).toEqual({
      value: 0.3,
      pass: false,
      reason: 'too vague',
    });
    expect(await check('({ pass: true })', 'x')).toEqual({
      value: 1,
      pass: true,
      reason: '`({ pass: true })` returned pass',
    });
    expect(await check('({ score: 0.7 })', 'x')).toEqual({
      value: 0.7,
      pass: true,
      reason: '`({ score: 0.7 })` returned pass (score 0.7)',
    });
  });

  it('allows a trailing line comment in an expression', async () => {
    expect((await check('output === "ok" // exact', 'ok')).pass).toBe(true);
  });

  it('throws for a result it cannot read, or a throwing check, naming the code', async () => {
    await expect(check('1.5', 'x')).rejects.toThrow(
      '`1.5` returned score 1.5 (number); a score must be from 0 to 1',
    );
    await expect(check('"yes"', 'x')).rejects.toThrow(/returned "yes" \(string\); return true\/false/);
    await expect(check('({ reason: "?" })', 'x')).rejects.toThrow(/with neither pass nor score/);
    await expect(check('({ pass: "yes" })', 'x')).rejects.toThrow(/pass must be true or false/);
    await expect(check('output.missing.length', 'x')).rejects.toThrow(
      /^javascript check threw: Cannot read properties of undefined/,
    );
  });

  it('stops a check that never returns at the time limit, naming the limit and its setting', async () => {
    const limit = { ms: 100, setting: 'defaults.code_timeout in assay.yaml' };
    const userCode = new UserCode(limit);
    try {
      const context = { ...CONTEXT, userCode };
      const run = javascriptScorer.prepare(
        { type: 'javascript', value: 'while (true) {}' },
        WHERE,
        makeTask(),
        context,
      );
      await expect(score(run, 'x')).rejects.toThrow(
        '`while (true) {}` did not finish within the 100ms time limit for user code: fix it if it loops, or raise defaults.code_timeout in assay.yaml if it needs longer',
      );
      const fine = javascriptScorer.prepare(
        { type: 'javascript', value: 'output === "x"' },
        WHERE,
        makeTask(),
        context,
      );
      expect((await score(fine, 'x')).pass).toBe(true);
    } finally {
      userCode.close();
    }
  });

  it('reports a syntax error at prepare, with the message', () => {
    const prepare =
      (value: unknown, extra: Record<string, unknown> = {}) =>
      () =>
        javascriptScorer.prepare({ type: 'javascript', value, ...extra }, WHERE, makeTask(), CONTEXT);
    expectUserError(
      prepare('output.length <'),
      /javascript: syntax error in "output.length <": Unexpected token/,
    );
    expectUserError(prepare('const x = ;\nreturn x'), /syntax error in .*: Unexpected token ';'/);
    expectUserError(prepare('  '), /needs code or "file:<path>" in "value", got " {2}"/);
    expectUserError(prepare(true), /got true \(boolean\)/);
    expectUserError(prepare('true', { threshold: 5 }), /"threshold" must be a number from 0 to 1/);
  });
});

describe('javascript (file)', () => {
  let dir: string;
  let context: PrepareContext;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'assay-javascript-'));
    writeFileSync(
      path.join(dir, 'check.mjs'),
      'export default (output, { vars, expected }) => ({ pass: output.includes(vars.city), reason: "expected " + expected });\n',
    );
    writeFileSync(
      path.join(dir, 'score.ts'),
      'export default async function (output: string, { context }: { context: { latencyMs: number } }): Promise<number> {\n' +
        '  return context.latencyMs < 200 ? output.length / 10 : 0;\n}\n',
    );
    writeFileSync(path.join(dir, 'no-default.mjs'), 'export const check = () => true;\n');
    writeFileSync(path.join(dir, 'throws.mjs'), 'export default () => { throw new Error("boom"); };\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'not code');
    writeFileSync(path.join(dir, 'loop.mjs'), 'export default () => { while (true) {} };\n');
    writeFileSync(path.join(dir, 'never.mjs'), 'export default () => new Promise(() => {});\n');
    context = standalonePrepareContext(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const prepare = (value: string, task = makeTask()) =>
    javascriptScorer.prepare({ type: 'javascript', value }, WHERE, task, context);

  it('calls the default export of a JavaScript module', async () => {
    const task = makeTask({ vars: { city: 'Paris' }, expected: 'Paris' });
    const score = prepare('file:check.mjs', task);
    expect(await score(makeInput('in Paris', { task }))).toEqual({
      value: 1,
      pass: true,
      reason: 'expected Paris',
    });
    expect((await score(makeInput('in Lyon', { task }))).pass).toBe(false);
  });

  it('loads a TypeScript module and awaits an async check', async () => {
    const score = prepare('file:./score.ts');
    expect(await score(makeInput('12345678', { latencyMs: 100 }))).toEqual({
      value: 0.8,
      pass: true,
      reason: 'file:./score.ts returned 0.8 >= threshold 0.5',
    });
  });

  it('fails the verdict when the module has no default function or throws', async () => {
    await expect(prepare('file:no-default.mjs')(makeInput('x'))).rejects.toThrow(
      'no-default.mjs must export default a function (output, { vars, expected, context })',
    );
    await expect(prepare('file:throws.mjs')(makeInput('x'))).rejects.toThrow('throws.mjs threw: boom');
  });

  it('stops a module check that loops or never settles at the time limit', async () => {
    const userCode = new UserCode({ ms: 100, setting: 'defaults.code_timeout in assay.yaml' });
    const limited = { ...context, userCode };
    const run = (value: string) =>
      javascriptScorer.prepare({ type: 'javascript', value }, WHERE, makeTask(), limited)(makeInput('x'));
    await expect(run('file:loop.mjs')).rejects.toThrow(
      /^file:loop\.mjs did not finish within the 100ms time limit for user code: .* raise defaults\.code_timeout in assay\.yaml/,
    );
    await expect(run('file:never.mjs')).rejects.toThrow(/^file:never\.mjs did not finish within the 100ms/);
  });

  it('checks at prepare that the module exists and is JavaScript or TypeScript', () => {
    expectUserError(() => prepare('file:missing.ts'), /javascript module not found: missing\.ts/);
    expectUserError(
      () => prepare('file:notes.txt'),
      /\.js, \.mjs, \.cjs, \.ts, \.mts or \.cts file, got "notes\.txt"/,
    );
  });
});
