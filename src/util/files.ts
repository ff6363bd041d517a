import { stat } from 'node:fs/promises';
import path from 'node:path';

/** Characters that make a path a glob pattern (tinyglobby / picomatch syntax). */
const GLOB_SYNTAX = /[*?[\]{}()!+@|\\]/;

/**
 * The files a pattern names, relative to `cwd` (absolute paths with `absolute`). A path naming a
 * file is checked with one stat, as tinyglobby would match it (symlinks followed, the path kept as
 * written); anything else (a real pattern, a directory, which tinyglobby expands to the files in
 * it, or nothing at all) goes to tinyglobby. A config that names its files no longer loads
 * tinyglobby at every `assay run`.
 */
export async function matchFiles(
  pattern: string,
  cwd: string,
  options: { absolute?: boolean } = {},
): Promise<string[]> {
  if (!GLOB_SYNTAX.test(pattern)) {
    const file = path.resolve(cwd, pattern);
    const isFile = await stat(file).then(
      (stats) => stats.isFile(),
      () => false,
    );
    if (isFile) return [options.absolute ? file : path.relative(cwd, file)];
  }
  const { glob } = await import('tinyglobby');
  return glob(pattern, { cwd, absolute: options.absolute ?? false, onlyFiles: true });
}
