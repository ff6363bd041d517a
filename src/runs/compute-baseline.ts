import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Baseline } from '../compare/baseline.js';
import { loadProject, type Project } from '../config/load.js';
import { UserError } from '../errors.js';
import { RunEventBus } from '../executor/events.js';
import type { RunOptions } from '../types.js';
import { git } from '../util/git.js';
import { type RunDeps, startRun } from './execute.js';

/** Writes the files of `commit` into `dir` (git archive piped into tar; nothing in the checkout changes). */
function exportCommit(repoRoot: string, commit: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', commit], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    archive.stderr.on('data', (chunk) => {
      err += chunk;
    });
    tar.stderr.on('data', (chunk) => {
      err += chunk;
    });
    archive.stdout.pipe(tar.stdin);
    archive.on('error', reject);
    tar.on('error', reject);
    tar.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(err.trim() || `tar exited ${code}`)),
    );
  });
}

export interface ComputeRequest {
  project: Project;
  /** The store and cache the baseline run goes into; its events are not followed. */
  deps: Omit<RunDeps, 'events'>;
  options: RunOptions;
  concurrency: number;
  at: { ref: string; commit: string };
  /** Progress lines go here. */
  log: (line: string) => void;
}

/**
 * Computes a missing baseline: runs the same suite on the project's files as they were at a commit,
 * into the same store (so the next CI run finds it) and through the same cache (unchanged prompts
 * and tasks cost nothing). The run records that commit. Returns no baseline, with the reason, when
 * the project or suite cannot run at that commit.
 */
export async function computeBaseline(request: ComputeRequest): Promise<Baseline> {
  const { project, at } = request;
  const how = `computed now at ${at.ref} (${at.commit.slice(0, 12)})`;
  const repoRoot = await git(['rev-parse', '--show-toplevel'], project.baseDir);
  if (!repoRoot) return { run: null, how, note: 'not in a git checkout: cannot compute a baseline' };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-baseline-'));
  try {
    await exportCommit(repoRoot, at.commit, dir);
    const configPath = path.join(dir, path.relative(repoRoot, project.configPath));
    let old: Project;
    try {
      old = await loadProject({ configPath });
    } catch (error) {
      const reason = error instanceof UserError ? error.message : String(error);
      return { run: null, how, note: `the project does not load at ${at.ref}: ${reason}` };
    }
    if (request.options.suite !== null && !Object.hasOwn(old.config.suites, request.options.suite)) {
      return { run: null, how, note: `suite "${request.options.suite}" does not exist at ${at.ref}` };
    }
    request.log(
      `computing the baseline at ${at.ref} (${at.commit.slice(0, 12)}): cached answers cost nothing`,
    );
    const outcome = await startRun(
      { ...request.deps, events: new RunEventBus() },
      {
        project: old,
        options: request.options,
        concurrency: request.concurrency,
        control: { stopSignal: new AbortController().signal, hardSignal: new AbortController().signal },
        gitCommit: at.commit,
      },
    );
    if (outcome.status !== 'completed') {
      return { run: null, how, note: `the baseline run at ${at.ref} ended ${outcome.status}` };
    }
    return {
      run: outcome.run,
      how,
      note: 'no stored run fitted, so one was run now (and stored for next time)',
    };
  } catch (error) {
    const reason = error instanceof UserError ? error.message : (error as Error).message;
    return { run: null, how, note: `could not compute a baseline at ${at.ref}: ${reason}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
