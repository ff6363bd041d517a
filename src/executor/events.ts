import type { ItemResult, RunRecord, RunStatus } from '../types.js';

/**
 * Events the executor emits, all plain JSON: a worker can publish them and a server can stream
 * them. Renderers, metrics and reports subscribe; the executor knows none of them.
 */
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
  'budget-warning': { runId: string; capUsd: number; spentUsd: number };
  'item-end': { result: ItemResult; done: number; total: number };
  'retry-scheduled': { runId: string; itemId: string; attempt: number; delayMs: number; reason: string };
  /** A quota error stopped a provider lane; its remaining items fail without calls. */
  'lane-stopped': { runId: string; target: string; message: string };
  'run-end': { run: RunRecord; status: RunStatus; durationMs: number };
}

export type RunEventName = keyof RunEvents;
export type RunListener<K extends RunEventName> = (payload: RunEvents[K]) => void;

/** Where the executor sends its events. */
export interface EventSink {
  emit<K extends RunEventName>(event: K, payload: RunEvents[K]): void;
}

/**
 * A typed event bus. Each listener is isolated: one that throws is reported to `onListenerError`
 * and detached, and the run goes on — a broken live view never stops a run.
 */
export class RunEventBus implements EventSink {
  readonly #listeners = new Map<RunEventName, Array<(payload: never) => void>>();
  readonly #onListenerError: (event: RunEventName, error: unknown) => void;

  constructor(
    onListenerError: (event: RunEventName, error: unknown) => void = (event, error) =>
      process.emitWarning(
        `a listener of "${event}" failed and was detached: ${error instanceof Error ? error.message : String(error)}`,
      ),
  ) {
    this.#onListenerError = onListenerError;
  }

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
    for (let index = 0; index < list.length; index++) {
      const listener = list[index]!;
      try {
        listener(payload);
      } catch (error) {
        list.splice(index--, 1);
        this.#onListenerError(event, error);
      }
    }
  }
}
