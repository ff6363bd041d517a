import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError, UserError } from '../errors.js';
import { ensureFolder, fileSystemError, writeOutputFile } from './output-files.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'assay-output-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected a failure');
  return error;
}

describe('ensureFolder', () => {
  it('creates every missing level, and accepts a folder that exists', async () => {
    const deep = path.join(root, 'a', 'b', 'c');
    await ensureFolder(deep, '-o');
    expect((await stat(deep)).isDirectory()).toBe(true);
    await ensureFolder(deep, '-o');
  });

  it('names a file that stands where a folder should be (EEXIST / ENOTDIR)', async () => {
    const file = path.join(root, 'plain-file');
    await writeFile(file, 'x');
    const direct = await failure(ensureFolder(file, '-o'));
    expect(direct).toBeInstanceOf(UserError);
    expect(direct.message).toBe(`${file} is a file, not a folder`);
    const below = await failure(ensureFolder(path.join(file, 'x', 'y'), '-o'));
    expect(below.message).toBe(
      `cannot create the folder ${path.join(file, 'x', 'y')}: ${file} is a file, not a folder`,
    );
    expect((below as UserError).location).toBe('-o');
    expect((below as UserError).hint).toBe('choose another path for -o');
  });

  // Node 20's recursive mkdir never returns on this path: the test would time out.
  it.runIf(process.platform === 'linux')(
    'fails at once under /proc, where no folder can be made',
    async () => {
      const error = await failure(ensureFolder('/proc/assay-nope/deeper', '--db'));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toBe(
        'cannot create the folder /proc/assay-nope (ENOENT: this place does not take new files or folders)',
      );
      expect((error as UserError).location).toBe('--db');
    },
  );
});

describe('writeOutputFile', () => {
  it('writes, creating the folders, and appends', async () => {
    const file = path.join(root, 'reports', 'nested', 'out.txt');
    await writeOutputFile(file, 'one\n', '-o');
    await writeOutputFile(file, 'two\n', '-o', { append: true });
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
  });

  it('refuses a folder as the file', async () => {
    const error = await failure(writeOutputFile(root, 'x', '-o'));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`cannot write ${root} (EISDIR: it is a folder)`);
  });
});

describe('fileSystemError', () => {
  it('makes a full disk an EnvironmentError (exit 3) and a bad path a UserError (exit 2)', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const environment = fileSystemError(full, '/data/out.html', '-o', 'write');
    expect(environment).toBeInstanceOf(EnvironmentError);
    expect(environment.message).toBe('cannot write /data/out.html (ENOSPC: no space left on the disk)');
    expect((environment as EnvironmentError).hint).toBe(
      'free space on that disk, then run the command again',
    );
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(fileSystemError(denied, '/root/x', '-o', 'write')).toBeInstanceOf(UserError);
  });
});
