import { describe, expect, it } from 'vitest';
import { EnvironmentError, RunStoppedError } from '../errors.js';
import { storageFailure } from './failure.js';

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('storageFailure', () => {
  it('names the database and the fix for a full disk, a failing disk and a long lock', () => {
    const cases: Array<[Error, RegExp, RegExp]> = [
      [
        sqliteError('SQLITE_FULL', 'database or disk is full'),
        /^the disk holding the database is full/,
        /^free space/,
      ],
      [
        sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error'),
        /^the disk failed to read or write/,
        /^free space on that disk, or check it/,
      ],
      [
        sqliteError('SQLITE_BUSY', 'database is locked'),
        /^another process held the database locked/,
        /^wait for/,
      ],
      [
        sqliteError('53100', 'could not extend file'),
        /^the disk holding the database is full/,
        /^free space/,
      ],
    ];
    for (const [error, message, hint] of cases) {
      const failure = storageFailure(error, '/data/assay.db');
      expect(failure).toBeInstanceOf(EnvironmentError);
      expect(failure).toMatchObject({ message: expect.stringMatching(message), location: '/data/assay.db' });
      expect(failure!.hint).toMatch(hint);
      expect(failure!.hint).toMatch(/then run the command again$/);
    }
  });

  it('says how to finish a run that a full disk stopped', () => {
    const stopped = new RunStoppedError('run-1', sqliteError('SQLITE_FULL', 'database or disk is full'));
    expect(storageFailure(stopped, '/data/assay.db')).toMatchObject({
      message:
        'run run-1 interrupted: the disk holding the database is full (database or disk is full); everything saved before is kept',
      location: '/data/assay.db',
      hint: 'free space on that disk (or move the database with --db), then finish the run with `assay run --resume run-1`',
    });
    const other = new RunStoppedError('run-2', new Error('Connection terminated'));
    expect(storageFailure(other, 'postgres://db/evals')?.hint).toBe(
      'finish the run with `assay run --resume run-2` once the database is back',
    );
  });

  it('leaves every other error alone', () => {
    expect(storageFailure(new Error('boom'), 'x.db')).toBeUndefined();
    expect(storageFailure(sqliteError('SQLITE_CONSTRAINT', 'UNIQUE'), 'x.db')).toBeUndefined();
    expect(storageFailure('text', 'x.db')).toBeUndefined();
  });
});
