/** Store URLs: which database a value names, and how to show it without its password. */
import path from 'node:path';
import { UserError } from '../errors.js';

export type StoreLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

const ACCEPTED =
  'a file path or sqlite:<path> (SQLite), or postgres://user@host:5432/database (postgresql:// works too)';

/**
 * Reads a store URL: a file path or `sqlite:<path>` (relative paths resolve against `baseDir`),
 * `:memory:`, or a `postgres://` / `postgresql://` URL. Anything else is a UserError naming the
 * scheme and the accepted forms; `where` names the flag, variable or config field it came from.
 */
export function parseStoreUrl(
  value: string,
  options: { baseDir?: string; where?: string } = {},
): StoreLocation {
  const { baseDir = process.cwd(), where } = options;
  const trimmed = value.trim();
  if (trimmed === '') {
    throw new UserError('the database URL is empty', where, `give ${ACCEPTED}`);
  }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    try {
      new URL(trimmed);
    } catch (error) {
      throw new UserError(
        `the PostgreSQL URL ${redactCredentials(trimmed)} cannot be parsed`,
        where,
        'write it as postgres://user:password@host:5432/database (percent-encode special characters)',
        { cause: error },
      );
    }
    return { dialect: 'postgres', url: trimmed };
  }
  if (trimmed === ':memory:') return { dialect: 'sqlite', path: trimmed };
  const sqlite = /^sqlite:(?:\/\/)?(.*)$/i.exec(trimmed);
  if (sqlite) {
    const file = sqlite[1]!;
    if (file === '')
      throw new UserError('the sqlite: URL names no file', where, 'e.g. sqlite:.assay/assay.db');
    return { dialect: 'sqlite', path: file === ':memory:' ? file : path.resolve(baseDir, file) };
  }
  // A scheme is letters followed by "://" (a Windows drive "C:\…" or a file named "a:b" is a path).
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed);
  if (scheme) {
    throw new UserError(
      `unknown database URL scheme "${scheme[1]}:" in ${redactCredentials(trimmed)}`,
      where,
      `give ${ACCEPTED}`,
    );
  }
  return { dialect: 'sqlite', path: path.resolve(baseDir, trimmed) };
}

/** How to show a location: the file path, or the URL with its password replaced by `***`. */
export function describeStore(location: StoreLocation): string {
  return location.dialect === 'sqlite' ? location.path : redactCredentials(location.url);
}

/**
 * Replaces the password of every URL in `text` (`scheme://user:password@host`) and every
 * `password=` parameter with `***`, so messages and logs can quote a URL.
 */
export function redactCredentials(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]*@/gi, '$1***@')
    .replace(/([?&]password=)[^&\s]*/gi, '$1***');
}
