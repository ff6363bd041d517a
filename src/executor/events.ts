import type { ItemResult, RunRecord, RunStatus } from '../types.js';

/** Events the executor emits. Renderers, metrics and reports subscribe; the executor knows none of them. */
export interface RunEvents {
  'run-start': {
    run: RunRecord;
    total: number;
    skipped: number;
    /** Tasks selected (after filters, archive, --first / --sample). */
    tasks?: number;
    /** Upper bound of what the pending calls could cost; null when a price is unknown. */
    projectedCostUsd?: number | null;
    /** Money left under the tightest budget; null without a budget. */
    budgetUsd?: number | null;
  };
  /** Spending crossed 80 % of a budget (once per budget). */
  'budget-warning': { capUsd: number; spentUsd: number };
  'item-end': { result: ItemResult; done: number; total: number };
  'retry-scheduled': { itemId: string; attempt: number; delayMs: number; reason: string };
  /** A quota error stopped a provider lane; its remaining items fail without calls. */
  'lane-stopped': { target: string; message: string };
  'run-end': { run: RunRecord; status: RunStatus; durationMs: number };
}

export type RunEventName = keyof RunEvents;
export type RunListener<K extends RunEventName> = (payload: RunEvents[K]) => void;

/** A tiny typed event bus. Listener errors are not caught: a broken renderer should be loud. */
export class RunEventBus {
  readonly #listeners = new Map<RunEventName, Array<(payload: never) => void>>();

  on<K extends RunEventName>(event: K, listener: RunListener<K>): () => void {
    let list = this.#listeners.get(event);
    if (!list) {
      list = [];
      this.#listeners.set(event, list);
    }
    list.push(listener);
    return () => {
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    };
  }

  emit<K extends RunEventName>(event: K, payload: RunEvents[K]): void {
    const list = this.#listeners.get(event) as Array<RunListener<K>> | undefined;
    if (!list) return;
    for (const listener of list) listener(payload);
  }
}
