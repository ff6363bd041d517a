import type { ItemResult, PromptTemplate, RunRecord, RunStatus, Target, Task } from '../types.js';

export interface ResultQuery {
  runId: string;
  /** Only results with status `failed` or `error`. */
  failedOnly?: boolean;
  limit?: number;
}

/**
 * Persistent storage of versions, runs and results. One interface, one implementation per
 * database; every implementation passes `store.contract.ts`.
 */
export interface Store {
  /** Records immutable versions of tasks, prompts and targets (idempotent). */
  saveVersions(versions: { tasks: Task[]; prompts: PromptTemplate[]; targets: Target[] }): Promise<void>;
  createRun(run: RunRecord): Promise<void>;
  finishRun(runId: string, status: RunStatus, finishedAt: number): Promise<void>;
  /** A run by id, or the newest run for `latest`. */
  getRun(idOrLatest: string): Promise<RunRecord | undefined>;
  /** Ids of work items that already have a result in this run. */
  completedItemIds(runId: string): Promise<Set<string>>;
  /** Writes results in one transaction; a result already stored for (run, item) is left as is. */
  saveResults(results: ItemResult[]): Promise<void>;
  listResults(query: ResultQuery): Promise<ItemResult[]>;
  /** USD spent by results recorded since `since` (ms), across all runs: for daily budgets. */
  spentSince(since: number): Promise<number>;
  close(): Promise<void>;
}
