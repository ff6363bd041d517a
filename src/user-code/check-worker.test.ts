import { afterEach, describe, expect, it } from 'vitest';
import { ChecksClosedError, CheckWorker } from './check-worker.js';
import { TimeLimitError } from './time-limit.js';

const LIMIT = { ms: 150, setting: 'defaults.code_timeout in assay.yaml' };
let checks: CheckWorker | undefined;
afterEach(() => checks?.close());

function open(): CheckWorker {
  checks = new CheckWorker(LIMIT);
  return checks;
}

describe('CheckWorker', () => {
  it('runs a compiled check in the worker with plain-data arguments and results', async () => {
    const run = open().define(
      { parameters: ['output', 'vars'], body: 'return { length: output.length, city: vars.city };' },
      'len',
    );
    expect(await run('hello', { city: 'Paris' })).toEqual({ length: 5, city: 'Paris' });
    const many = await Promise.all(Array.from({ length: 50 }, (_, index) => run('x'.repeat(index), {})));
    expect(many.map((value) => (value as { length: number }).length)).toEqual([...Array(50).keys()]);
  });

  it('awaits a check that returns a promise', async () => {
    const run = open().define(
      { parameters: ['output'], body: 'return Promise.resolve(output + "!");' },
      'async',
    );
    expect(await run('hi')).toBe('hi!');
  });

  it('rejects with the message of what the check threw, or of a result it cannot pass back', async () => {
    const pool = open();
    await expect(pool.define({ parameters: [], body: 'throw new Error("boom");' }, 'b')()).rejects.toThrow(
      /^boom$/,
    );
    await expect(pool.define({ parameters: [], body: 'throw "plain";' }, 'p')()).rejects.toThrow(/^plain$/);
    await expect(pool.define({ parameters: [], body: 'return () => 1;' }, 'f')()).rejects.toThrow(
      /cannot be read/,
    );
  });

  it('rejects arguments that cannot cross to the worker', async () => {
    const run = open().define({ parameters: ['value'], body: 'return 1;' }, 'x');
    await expect(run(() => 1)).rejects.toThrow(/cannot pass the check its arguments/);
  });

  it('stops a check that never returns, names the limit and its setting, and runs the calls queued behind it', async () => {
    const pool = open();
    const loop = pool.define({ parameters: ['output'], body: 'while (true) {}' }, '`while (true) {}`');
    const echo = pool.define({ parameters: ['output'], body: 'return output;' }, 'echo');
    const stuck = loop('x');
    const behind = [echo('a'), echo('b')];
    const error = await stuck.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeLimitError);
    expect((error as Error).message).toBe(
      '`while (true) {}` did not finish within the 150ms time limit for user code: fix it if it loops, or raise defaults.code_timeout in assay.yaml if it needs longer',
    );
    expect(await Promise.all(behind)).toEqual(['a', 'b']);
    expect(await echo('after')).toBe('after');
  });

  it('stops a check whose promise never settles', async () => {
    const run = open().define({ parameters: [], body: 'return new Promise(() => {});' }, 'never');
    await expect(run()).rejects.toBeInstanceOf(TimeLimitError);
  });

  it('fails the check that ended its worker and keeps serving the others', async () => {
    const pool = open();
    const exit = pool.define({ parameters: [], body: 'process.exit(3);' }, 'exit');
    const echo = pool.define({ parameters: ['output'], body: 'return output;' }, 'echo');
    await expect(exit()).rejects.toThrow(/the javascript check worker stopped \(exit code 3/);
    expect(await echo('still here')).toBe('still here');
  });

  it('fails pending and later calls once closed', async () => {
    const pool = open();
    const loop = pool.define({ parameters: [], body: 'while (true) {}' }, 'loop');
    const pending = loop();
    pool.close();
    await expect(pending).rejects.toThrow(
      new ChecksClosedError('the run was stopped before the check finished'),
    );
    await expect(loop()).rejects.toBeInstanceOf(ChecksClosedError);
  });
});
