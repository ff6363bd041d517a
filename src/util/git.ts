import { execFile } from 'node:child_process';
import os from 'node:os';

/**
 * Runs git in `cwd` and resolves with its trimmed output, or null when git, the repository or the
 * ref is missing (callers treat "no git" as "no answer", never as an error).
 */
export function git(
  args: string[],
  cwd: string,
  options: { timeoutMs?: number; maxBuffer?: number } = {},
): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      { cwd, timeout: options.timeoutMs ?? 5000, maxBuffer: options.maxBuffer ?? 1024 * 1024 },
      (error, stdout) => {
        resolve(error ? null : stdout.trim() || null);
      },
    );
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

/** Tags pointing at `commit` (comma-separated), or null when none or outside git. */
export async function tagsAt(commit: string, dir: string): Promise<string | null> {
  const out = await git(['tag', '--points-at', commit], dir);
  return out ? out.split('\n').filter(Boolean).join(',') : null;
}

/**
 * Fills each prompt's last commit and the tags at it (versions are immutable once stored, so this
 * happens before they are saved).
 */
export async function recordPromptCommits(
  prompts: Array<{ path: string; gitCommit?: string; gitTag?: string }>,
  dir: string,
): Promise<void> {
  await Promise.all(
    prompts.map(async (prompt) => {
      const commit = await lastCommitOf(prompt.path, dir);
      if (!commit) return;
      prompt.gitCommit = commit;
      const tags = await tagsAt(commit, dir);
      if (tags) prompt.gitTag = tags;
    }),
  );
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
