import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Whether `file` lies outside `dir` as written (both absolute; symlinks not followed). */
export function isOutside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

/**
 * `file` with every symlink resolved, also when it does not exist yet: the nearest part of the
 * path that exists is resolved, and the rest appended (a new file under a symlinked folder lands
 * where the link points).
 */
export async function realPathOf(file: string): Promise<string> {
  const absolute = path.resolve(file);
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(await realpath(current), ...rest);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      rest.unshift(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Whether `file` lies outside the folder `dir`, as written or once symlinks are resolved (a link
 * inside the folder may lead out of it).
 */
export async function leadsOutside(dir: string, file: string): Promise<boolean> {
  const absoluteDir = path.resolve(dir);
  const absoluteFile = path.resolve(absoluteDir, file);
  if (isOutside(absoluteDir, absoluteFile)) return true;
  return isOutside(await realPathOf(absoluteDir), await realPathOf(absoluteFile));
}
