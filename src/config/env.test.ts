import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { interpolateEnv, loadEnvFiles } from './env.js';
import { formatFieldPath } from './source.js';

const locate = (fieldPath: ReadonlyArray<PropertyKey>) => `assay.yaml(${formatFieldPath(fieldPath)})`;

describe('interpolateEnv', () => {
  it('replaces every reference in nested strings and leaves other values alone', () => {
    const env = { HOST: 'localhost', PORT: '8080' };
    const value = {
      url: 'http://${HOST}:${PORT}/v1',
      list: ['${HOST}', 3, true, null],
      nested: { plain: 'no refs', dollar: '$HOST stays' },
    };
    expect(interpolateEnv(value, env, locate)).toEqual({
      url: 'http://localhost:8080/v1',
      list: ['localhost', 3, true, null],
      nested: { plain: 'no refs', dollar: '$HOST stays' },
    });
  });

  it('uses the default when the variable is unset or empty, and the value otherwise', () => {
    expect(interpolateEnv('${A:-fallback}', {}, locate)).toBe('fallback');
    expect(interpolateEnv('${A:-fallback}', { A: '' }, locate)).toBe('fallback');
    expect(interpolateEnv('${A:-fallback}', { A: 'set' }, locate)).toBe('set');
    expect(interpolateEnv('x${A:-}y', {}, locate)).toBe('xy');
  });

  it('throws a UserError naming the variable, the field and where it is', () => {
    const value = { targets: [{ id: 'x', base_url: '${MISSING}/v1' }] };
    let caught: unknown;
    try {
      interpolateEnv(value, {}, locate);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    const error = caught as UserError;
    expect(error.message).toBe('environment variable MISSING is not set (used in targets[0].base_url)');
    expect(error.location).toBe('assay.yaml(targets[0].base_url)');
    expect(error.hint).toBe('set MISSING in the environment or in .env, or write ${MISSING:-default}');
  });

  it('starts field paths at the given prefix', () => {
    expect(() => interpolateEnv({ path: '${NOPE}' }, {}, locate, ['database'])).toThrow(
      'used in database.path',
    );
  });
});

describe('loadEnvFiles', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('adds variables from the files, skipping missing ones, and never overrides the environment', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'assay-env-'));
    await writeFile(path.join(dir, '.env'), 'FROM_FILE=one\nSHARED=file\n# comment\nQUOTED="a b"\n');
    const env: NodeJS.ProcessEnv = { SHARED: 'environment' };
    await loadEnvFiles(['missing.env', '.env'], dir, env);
    expect(env).toEqual({ FROM_FILE: 'one', SHARED: 'environment', QUOTED: 'a b' });
  });

  it('lets an earlier file win over a later one', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'assay-env-'));
    await writeFile(path.join(dir, 'first.env'), 'KEY=first\n');
    await writeFile(path.join(dir, 'second.env'), 'KEY=second\nONLY_SECOND=2\n');
    const env: NodeJS.ProcessEnv = {};
    await loadEnvFiles(['first.env', 'second.env'], dir, env);
    expect(env).toEqual({ KEY: 'first', ONLY_SECOND: '2' });
  });
});
