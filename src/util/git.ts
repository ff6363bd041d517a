import { execFile } from 'node:child_process';
import os from 'node:os';

function git(args: string[], cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 5000 }, (error, stdout) => {
      resolve(error ? null : stdout.trim() || null);
    });
  });
}

/** HEAD commit of the repository holding `dir`, or null outside git. */
export function headCommit(dir: string): Promise<string | null> {
  return git(['rev-parse', 'HEAD'], dir);
}

/** Last commit that touched `file`, or null when untracked or outside git. */
export function lastCommitOf(file: string, dir: string): Promise<string | null> {
  return git(['log', '-1', '--format=%H', '--', file], dir);
}

/** Who started a run: ASSAY_USER, else the git user, else the OS user. */
export async function runUser(dir: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (env.ASSAY_USER) return env.ASSAY_USER;
  const name = await git(['config', 'user.email'], dir);
  if (name) return name;
  try {
    return os.userInfo().username;
  } catch {
    return null;
  }
}
