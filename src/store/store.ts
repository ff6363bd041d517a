import type {
  ItemResult,
  PromptTemplate,
  ResultStatus,
  RunRecord,
  RunStatus,
  Target,
  Task,
} from '../types.js';

/** Which results of a run to list; filters combine with AND. Order: creation time, then item id. */
export interface ResultQuery {
  runId: string;
  /** Only results with status `failed` or `error`. */
  failedOnly?: boolean;
  /** Only results with one of these statuses (an empty list matches nothing). @example ['error'] */
  status?: ResultStatus[];
  targetName?: string;
  taskId?: string;
  /** Only these work items (an empty list matches nothing). */
  itemIds?: string[];
  limit?: number;
  /** Results to skip, for paging. @default 0 */
  offset?: number;
}

/** Which runs to list; filters combine with AND. */
export interface RunQuery {
  /** Runs whose options name this suite. */
  suite?: string;
  /** Runs with results for this target, or that planned it (it is in their target versions). */
  target?: string;
  /** Runs started at or after this time (ms). */
  since?: number;
  /** Runs started before this time (ms). */
  before?: number;
  limit?: number;
  /** Only runs in one of these states (an empty list matches nothing). */
  statuses?: RunStatus[];
}

/** Aggregates of one run's stored results. Unknown costs count as 0. */
export interface RunStats {
  results: number;
  passed: number;
  failed: number;
  errored: number;
  costUsd: number;
  judgeCostUsd: number;
  savedUsd: number;
  /** Results answered from the cache. */
  cached: number;
  /** Mean score of the results that were scored (errors excluded); null when none. */
  meanScore: number | null;
  /** Mean latency of the real calls (no errors, no cache hits); null when none. */
  meanLatencyMs: number | null;
  /** Distinct target names with results, sorted. */
  targets: string[];
}

export interface RunListing {
  run: RunRecord;
  stats: RunStats;
}

export type CostDimension =
  | 'provider'
  | 'model'
  | 'target'
  | 'suite'
  | 'task'
  | 'user'
  | 'day'
  | 'week'
  | 'month';

/** Costs of one group of results. A budget skip made no call and is not counted. */
export interface CostRow {
  key: string;
  costUsd: number;
  judgeCostUsd: number;
  savedUsd: number;
  /** Results in the group, cache hits and errors included. */
  calls: number;
  /** Of those, results answered from the cache. */
  cachedCalls: number;
}

export interface VersionRecord<T> {
  version: string;
  /** When this version was first stored (ms). */
  createdAt: number;
  value: T;
}

export interface TaskIdSummary {
  taskId: string;
  versions: number;
  /** When its newest version was stored (ms). */
  latestAt: number;
  archivedAt: number | null;
}

export type AuditAction =
  | 'task.add'
  | 'task.archive'
  | 'task.restore'
  | 'run.delete'
  | 'run.prune'
  | 'run.retry'
  | 'cache.clear'
  | 'cache.prune'
  | 'db.restore';

/** One change that is not a run writing its own results: who, what, when. */
export interface AuditEntry {
  at: number;
  /** ASSAY_USER, else the git email, else the OS user (as runs record their user). */
  actor: string;
  action: AuditAction;
  /** What was changed: a task id, a run id… (null for the whole cache or store). */
  subject: string | null;
  /** What the change removed or did, e.g. `{ results: 120 }`. */
  details: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: string;
}

export interface AuditQuery {
  since?: number;
  action?: string;
  limit?: number;
}

/** What deleting runs removed. Task and prompt versions stay: other runs share them. */
export interface DeletedRuns {
  runs: number;
  results: number;
  scores: number;
}

/** Who is executing a run, and until when their claim holds unless they renew it. */
export interface RunLease {
  runId: string;
  /** Identifies the holder, e.g. `build-7 pid 4242`. */
  owner: string;
  acquiredAt: number;
  /** The holder's last renewal (ms). */
  heartbeatAt: number;
  /** When the lease lapses unless renewed (ms). */
  expiresAt: number;
}

export type LeaseOutcome = { acquired: true; lease: RunLease } | { acquired: false; holder: RunLease };

/**
 * One executor per run at a time. A lease is a row with its owner, heartbeat and expiry: a killed
 * owner stops renewing, so its lease lapses and another process can take the run over.
 */
export interface RunLeases {
  /**
   * Takes the run's lease when nobody holds it, it has expired at `now`, it is `owner`'s already,
   * or it is held by `replacing` (a holder known to be dead); otherwise says who holds it.
   */
  acquireRunLease(request: {
    runId: string;
    owner: string;
    now: number;
    ttlMs: number;
    replacing?: string;
  }): Promise<LeaseOutcome>;
  /** Extends `owner`'s lease to `now + ttlMs`; false when it is no longer theirs. */
  renewRunLease(request: { runId: string; owner: string; now: number; ttlMs: number }): Promise<boolean>;
  /** Gives the lease up (nothing happens when `owner` does not hold it). */
  releaseRunLease(runId: string, owner: string): Promise<void>;
}

/**
 * Persistent storage of versions, runs and results. One interface, one implementation per
 * database; every implementation passes `store.contract.ts`.
 */
export interface Store extends RunLeases {
  /** Records immutable versions of tasks, prompts and targets (idempotent). */
  saveVersions(versions: { tasks: Task[]; prompts: PromptTemplate[]; targets: Target[] }): Promise<void>;
  createRun(run: RunRecord): Promise<void>;
  finishRun(runId: string, status: RunStatus, finishedAt: number): Promise<void>;
  /** A run by id, or the newest run for `latest`. */
  getRun(idOrLatest: string): Promise<RunRecord | undefined>;
  /**
   * Ids of work items that already have a final result in this run (a budget skip is not final),
   * all of them or only those `among` the given ids (a window of a big run).
   */
  completedItemIds(runId: string, among?: readonly string[]): Promise<Set<string>>;
  /** How many work items have a final result in this run. */
  countCompleted(runId: string): Promise<number>;
  /**
   * Writes results in one transaction. A result already stored for (run, item) is left as is, or
   * with `replace` (a retry) replaced, scores included; a budget skip is always replaced.
   */
  saveResults(results: ItemResult[], options?: { replace?: boolean }): Promise<void>;
  listResults(query: ResultQuery): Promise<ItemResult[]>;
  /** USD spent by results recorded since `since` (ms), across all runs: for daily budgets. */
  spentSince(since: number): Promise<number>;
  /** Newest first. `suite` matches options.suite; `target` = runs having results (or target versions) for it. */
  listRuns(query: RunQuery): Promise<RunListing[]>;
  /** Every target name a run has stored a version of, sorted: what `--target` can name. */
  targetNames(): Promise<string[]>;
  /** Aggregates of a run's results (all zero for a run without results). */
  runStats(runId: string): Promise<RunStats>;
  /**
   * Deletes results (and their scores) of these items in this run, for `assay retry`; returns how
   * many. With `actor`, the deletion is audited (`run.retry`) in the same transaction.
   */
  deleteResults(runId: string, itemIds: string[], actor?: string): Promise<number>;
  /**
   * Deletes runs with their results, scores and leases, audited in the same transaction (one entry
   * per run, `details` added to each); returns what was removed.
   */
  deleteRuns(
    runIds: readonly string[],
    audit: { actor: string; action: 'run.delete' | 'run.prune'; details?: Record<string, unknown> },
  ): Promise<DeletedRuns>;
  /** Records a change made outside the store (a task file written), on its own. */
  recordAudit(entry: AuditEntry): Promise<void>;
  /** Audit entries, oldest first. */
  listAudit(query: AuditQuery): Promise<AuditRecord[]>;
  /** Marks a run running again (retry/resume): status 'running', finished_at null. */
  reopenRun(runId: string): Promise<void>;
  /**
   * Costs of results created in [since, until), grouped by one dimension: provider = the part of
   * the target's provider id before ':', model = the provider id (both 'unknown' when the target
   * version is not stored), suite = the run's options.suite ('(none)' when null), user = the run's
   * user ('unknown' when null), day/week/month = UTC calendar buckets 'YYYY-MM-DD' / ISO week
   * 'YYYY-Www' / 'YYYY-MM'. Sorted by costUsd descending, then key; time buckets ascending.
   */
  costBreakdown(query: { since: number; until?: number; by: CostDimension }): Promise<CostRow[]>;
  /** Every stored version of a task, oldest first, as it was then. */
  taskHistory(taskId: string): Promise<VersionRecord<Task>[]>;
  /** Every stored version of a prompt, oldest first. */
  promptHistory(name: string): Promise<VersionRecord<PromptTemplate>[]>;
  /** Every stored task id, sorted, with its version count and archive time. */
  listTaskIds(): Promise<TaskIdSummary[]>;
  /** Archives a task (idempotent: an archived task keeps its first archive time); audited with `actor`. */
  archiveTask(taskId: string, at: number, actor?: string): Promise<void>;
  /** Un-archives a task; audited with `actor`. */
  restoreTask(taskId: string, actor?: string): Promise<void>;
  archivedTaskIds(): Promise<Set<string>>;
  close(): Promise<void>;
}
