import { EnvironmentError, RunStoppedError } from '../errors.js';

/** SQLite's and PostgreSQL's codes for a full disk (PostgreSQL: SQLSTATE 53100 disk_full). */
const DISK_FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', '53100']);

/** What went wrong under the store, and what the user does about it before trying again. */
function diagnose(error: unknown): { problem: string; remedy: string } | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const reason = error instanceof Error ? error.message : code;
  if (DISK_FULL.has(code)) {
    return {
      problem: `the disk holding the database is full (${reason})`,
      remedy: 'free space on that disk (or move the database with --db)',
    };
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    return {
      problem: `the disk failed to read or write the database (${reason}); a full disk does this too`,
      remedy: 'free space on that disk, or check it (dmesg, a network drive that went away)',
    };
  }
  if (code === 'SQLITE_BUSY') {
    return {
      problem: `another process held the database locked for too long (${reason})`,
      remedy: 'wait for the other assay command to finish',
    };
  }
  return undefined;
}

/**
 * A store error the machine caused rather than the user's input (a full disk, a failing disk, a
 * lock another process held too long), as an EnvironmentError naming the database (`location`:
 * its path or shown URL) and what to do; a run stopped by one says how to finish it. Undefined for
 * any other error.
 */
export function storageFailure(error: unknown, location: string): EnvironmentError | undefined {
  if (error instanceof RunStoppedError) {
    const found = diagnose(error.cause);
    const resume = `finish the run with \`assay run --resume ${error.runId}\``;
    return new EnvironmentError(
      `run ${error.runId} interrupted: ${found ? found.problem : `its results could not be saved (${(error.cause as Error | undefined)?.message ?? 'unknown error'})`}; everything saved before is kept`,
      location,
      found ? `${found.remedy}, then ${resume}` : `${resume} once the database is back`,
      { cause: error },
    );
  }
  const found = diagnose(error);
  if (!found) return undefined;
  return new EnvironmentError(found.problem, location, `${found.remedy}, then run the command again`, {
    cause: error,
  });
}
