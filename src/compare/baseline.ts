import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../types.js';
import { git as runGit } from '../util/git.js';

/** The git questions baseline lookup asks; a fake stands in for git in tests. */
export interface GitLookup {
  /** Commits reachable from `ref` (the ref's commit included), or null when git or the ref fails. */
  commitsOf(ref: string): Promise<Set<string> | null>;
  /** The commit a ref names, or null when it names none. */
  resolveCommit(ref: string): Promise<string | null>;
  /** The best common ancestor of two refs (where a branch left main), or null. */
  mergeBase(a: string, b: string): Promise<string | null>;
}

export interface Baseline {
  run: RunRecord | null;
  /** How it was chosen, for the report: `latest completed run of suite critical`. */
  how: string;
  /** Why there is none, or what was done instead of what was asked. */
  note: string | null;
  /** When no stored run fits but the commit is known: where a baseline run can be computed. */
  computeAt?: { ref: string; commit: string };
}

/** Branches tried, in order, for `latest-on-main` (a CI checkout often has only the remote one). */
export const MAIN_REFS = ['main', 'origin/main'];
/** Completed runs looked at when searching by commit. */
const CANDIDATES = 1000;
/** Commits of main read at most: far more than a cache of runs spans. */
const MAX_COMMITS = 100_000;

/**
 * Finds the run to compare a new run of `suite` with: `latest` (newest completed run of the suite),
 * `latest-on-main` (newest completed run whose commit is on `main`), a run id (or unique prefix of
 * one), or a git ref (newest completed run of the suite made at that commit). Call it before the new
 * run starts, so "latest" means the newest run before it.
 */
export async function resolveBaseline(
  store: Store,
  spec: string,
  suite: string,
  git: GitLookup,
): Promise<Baseline> {
  const completed = (limit: number) =>
    store.listRuns({ suite, statuses: ['completed'], limit }).then((list) => list.map(({ run }) => run));
  const latest = async (how: string, note: string | null): Promise<Baseline> => {
    const [run] = await completed(1);
    return run
      ? { run, how, note }
      : { run: null, how, note: joinNotes(note, `no completed run of suite "${suite}" yet`) };
  };

  if (spec === 'latest') return latest(`latest completed run of suite "${suite}"`, null);
  if (spec === 'latest-on-main') {
    let found: { commits: Set<string>; branch: string } | null = null;
    for (const ref of MAIN_REFS) {
      const commits = await git.commitsOf(ref);
      if (commits) {
        found = { commits, branch: ref };
        break;
      }
    }
    if (!found) {
      return latest(
        `latest completed run of suite "${suite}"`,
        `no main branch found (\`git rev-list ${MAIN_REFS.join('` and `')}\` failed): using the latest completed run instead`,
      );
    }
    const { commits, branch } = found;
    const how = `latest completed run of suite "${suite}" on ${branch}`;
    const run = (await completed(CANDIDATES)).find(
      (candidate) => candidate.fingerprint.gitCommit !== null && commits.has(candidate.fingerprint.gitCommit),
    );
    if (run) return { run, how, note: null };
    const base = await git.mergeBase('HEAD', branch);
    return {
      run: null,
      how,
      note: `no completed run of suite "${suite}" was made on a commit of ${branch}`,
      ...(base ? { computeAt: { ref: `${branch} (merge base)`, commit: base } } : {}),
    };
  }

  const byId = await findRun(store, spec);
  if (byId) return { run: byId, how: `run ${byId.id}`, note: null };
  const commit = await git.resolveCommit(spec);
  if (commit) {
    const how = `latest completed run of suite "${suite}" at ${spec} (${commit.slice(0, 12)})`;
    const run = (await completed(CANDIDATES)).find((candidate) => candidate.fingerprint.gitCommit === commit);
    return run
      ? { run, how, note: null }
      : {
          run: null,
          how,
          note: `no completed run of suite "${suite}" was made at ${spec}`,
          computeAt: { ref: spec, commit },
        };
  }
  throw new UserError(
    `--baseline "${spec}" is neither a run id nor a git ref`,
    '--baseline',
    'use latest, latest-on-main, a run id (see `assay runs`) or a git ref such as a branch, tag or commit',
  );
}

/** A run by exact id, or by a unique id prefix of at least 4 characters. */
async function findRun(store: Store, id: string): Promise<RunRecord | undefined> {
  const exact = await store.getRun(id);
  if (exact) return exact;
  if (id.length < 4 || !/^[0-9a-f-]+$/i.test(id)) return undefined;
  const matches = (await store.listRuns({})).filter(({ run }) => run.id.startsWith(id));
  if (matches.length > 1) {
    throw new UserError(`run id prefix "${id}" is ambiguous`, '--baseline', 'give more characters of the id');
  }
  return matches[0]?.run;
}

function joinNotes(first: string | null, second: string): string {
  return first ? `${first}; ${second}` : second;
}

/** `rev-list` of a long history: up to MAX_COMMITS hashes of 41 bytes. */
const LONG_OUTPUT = { timeoutMs: 10_000, maxBuffer: 64 * 1024 * 1024 };

/** Git through its command line, in `cwd`. Failures (no git, no repository, no such ref) are null. */
export function gitLookup(cwd: string): GitLookup {
  return {
    async commitsOf(ref) {
      const out = await runGit(['rev-list', `--max-count=${MAX_COMMITS}`, ref, '--'], cwd, LONG_OUTPUT);
      return out === null ? null : new Set(out.split('\n').filter(Boolean));
    },
    async resolveCommit(ref) {
      if (ref.startsWith('-')) return null;
      return runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
    },
    async mergeBase(a, b) {
      if (a.startsWith('-') || b.startsWith('-')) return null;
      return runGit(['merge-base', a, b], cwd);
    },
  };
}
