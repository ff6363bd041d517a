import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError, UserError } from '../errors.js';

/** Error codes that say what went wrong in words a user acts on. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  // Linux answers ENOENT to a new folder under /proc or /sys, whose parent does exist.
  ENOENT: 'this place does not take new files or folders',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'the disk quota is used up',
  EIO: 'the disk failed to read or write',
};

/** Failures of the machine rather than of the path the user chose (exit 3, not 2). */
const ENVIRONMENT_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO']);

/**
 * A failed file-system call on a path the user gave (`where`: the flag or config field that named
 * it), as one message with the path and a fix: a full disk is an EnvironmentError, anything else
 * a UserError.
 */
export function fileSystemError(error: unknown, file: string, where: string, doing: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code && REASONS[code] ? `${code}: ${REASONS[code]}` : (error as Error).message;
  const message = `cannot ${doing} ${file} (${reason})`;
  if (code && ENVIRONMENT_CODES.has(code)) {
    return new EnvironmentError(message, where, 'free space on that disk, then run the command again', {
      cause: error,
    });
  }
  return new UserError(message, where, `choose a path in a folder you can write to for ${where}`, {
    cause: error,
  });
}

/**
 * Creates the folder `dir` and its missing parents. Node 20's `mkdir(…, { recursive: true })`
 * spins forever on some paths (`/proc/nope`), so this walks up to the nearest folder that
 * exists, checks that it is a folder, and creates each missing level below it, one call each.
 * `where` names the flag or field the path came from, for the messages.
 */
export async function ensureFolder(dir: string, where: string): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    const found = await stat(current).then(
      (stats) => stats,
      (error: NodeJS.ErrnoException) => error,
    );
    if (!(found instanceof Error)) {
      if (found.isDirectory()) break;
      throw new UserError(
        current === target
          ? `${target} is a file, not a folder`
          : `cannot create the folder ${target}: ${current} is a file, not a folder`,
        where,
        `choose another path for ${where}`,
      );
    }
    // ENOTDIR: a parent is a file; walking up finds it.
    if (found.code !== 'ENOENT' && found.code !== 'ENOTDIR') {
      throw fileSystemError(found, current, where, 'look at');
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    missing.unshift(current);
    current = parent;
  }
  for (const level of missing) {
    try {
      await mkdir(level);
    } catch (error) {
      // Another process made it in the meantime.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw fileSystemError(error, level, where, 'create the folder');
    }
  }
}

/** Creates the folder that will hold `file` (see `ensureFolder`). */
export function ensureParentFolder(file: string, where: string): Promise<void> {
  return ensureFolder(path.dirname(path.resolve(file)), where);
}

/**
 * Writes `text` to `file`, creating its folders first; every failure is one message naming the
 * file and `where` it came from (a flag such as `-o`).
 */
export async function writeOutputFile(
  file: string,
  text: string | Uint8Array,
  where: string,
  options: { append?: boolean } = {},
): Promise<void> {
  await ensureParentFolder(file, where);
  try {
    await writeFile(file, text, { flag: options.append ? 'a' : 'w' });
  } catch (error) {
    // A file cut short (a full disk) must not pass for a report; an append leaves the file as it was.
    if (!options.append) await rm(file, { force: true }).catch(() => undefined);
    throw fileSystemError(error, file, where, 'write');
  }
}
