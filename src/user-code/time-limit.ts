import vm from 'node:vm';
import { formatDuration } from '../util/duration.js';

/** How long one call of user code may run, and the setting a user changes to allow more. */
export interface TimeLimit {
  ms: number;
  /** Where the limit is set, for messages: `defaults.code_timeout in assay.yaml`. */
  setting: string;
}

/** The limit when no config sets one (`defaults.code_timeout`). */
export const DEFAULT_TIME_LIMIT: TimeLimit = { ms: 5000, setting: 'defaults.code_timeout in the config' };

/** User code ran past its time limit and was stopped. */
export class TimeLimitError extends Error {
  override readonly name = 'TimeLimitError';

  constructor(what: string, limit: TimeLimit) {
    super(
      `${what} did not finish within the ${formatDuration(limit.ms)} time limit for user code: fix it if it loops, or raise ${limit.setting} if it needs longer`,
    );
  }
}

// One context for every guarded call: the script reads the function to call from it.
const holder = vm.createContext({ call: undefined as (() => unknown) | undefined });
const callScript = new vm.Script('call()', { filename: 'assay-time-limit' });

/**
 * Calls `fn` on this thread with a watchdog: synchronous code still running after the limit is
 * stopped (V8 ends it wherever it is, the user's module included) and `TimeLimitError` is thrown.
 * Each call starts and joins a watchdog thread: ~50 µs of CPU, more wall time on a busy machine
 * (docs/benchmarks.md), so it guards work that is rare or costly anyway, not every item's scoring.
 */
export function callWithin<T>(what: string, fn: () => T, limit: TimeLimit): T {
  holder.call = fn;
  try {
    return callScript.runInContext(holder, { timeout: limit.ms }) as T;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new TimeLimitError(what, limit);
    }
    throw error;
  } finally {
    holder.call = undefined;
  }
}
