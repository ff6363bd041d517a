import { stat } from 'node:fs/promises';
import path from 'node:path';

/** Characters that make a path a glob pattern (tinyglobby / picomatch syntax). */
const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/;

/**
 * The files a pattern names, relative to `cwd` (absolute paths with `absolute`). A plain path is
 * checked with one stat, as tinyglobby would match it (an existing file, symlinks followed, the
 * path kept as written); only real patterns load and run tinyglobby, whose start-up cost every
 * `assay run` paid for a config that names its files.
 */
export async function matchFiles(
  pattern: string,
  cwd: string,
  options: { absolute?: boolean } = {},
): Promise<string[]> {
  if (GLOB_SYNTAX.test(pattern)) {
    const { glob } = await import('tinyglobby');
    return glob(pattern, { cwd, absolute: options.absolute ?? false, onlyFiles: true });
  }
  const file = path.resolve(cwd, pattern);
  const found = await stat(file).then(
    (stats) => stats.isFile(),
    () => false,
  );
  if (!found) return [];
  return [options.absolute ? file : path.relative(cwd, file)];
}
