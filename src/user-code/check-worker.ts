import { performance } from 'node:perf_hooks';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { type CheckCall, type CheckReply, type CheckSource, checkWorkerMain } from './check-worker-main.js';
import { type TimeLimit, TimeLimitError } from './time-limit.js';

const WORKER_SOURCE = `(${checkWorkerMain.toString()})();`;
/** A check that allocates without end stops its worker, not the run. */
const WORKER_HEAP_MB = 512;

/** The run stopped (a second Ctrl-C) before the check had answered. */
export class ChecksClosedError extends Error {
  override readonly name = 'ChecksClosedError';
}

/** A `file:` check's module could not be loaded, or has no default function. */
export class CheckLoadError extends Error {
  override readonly name = 'CheckLoadError';
}

interface PendingCall {
  check: number;
  args: unknown[];
  label: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One worker thread, the watchdog's view of it, and the checks it has compiled. */
interface WorkerState {
  worker: Worker;
  replies: MessagePort;
  running: Int32Array;
  defined: Set<number>;
}

/**
 * Runs `javascript` checks (inline code and `file:` modules) in a worker thread with a time limit
 * per call. The run's thread only posts arguments and reads answers, so a check that never returns
 * cannot freeze it (Ctrl-C keeps working): once a call has run past the limit, its worker is
 * stopped, that call fails with `TimeLimitError`, and the calls queued behind it go to a new
 * worker. The worker starts with the first check and never keeps the process alive by itself.
 */
export class CheckWorker {
  readonly #limit: TimeLimit;
  readonly #sources = new Map<number, CheckSource>();
  readonly #pending = new Map<number, PendingCall>();
  #state: WorkerState | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  /** The call the watchdog last saw running, and since when. */
  #seen = { call: 0, since: 0 };
  #nextCheck = 1;
  #nextCall = 1;
  #closed = false;
  /** Calls waiting for the next batch, sent once per turn of the event loop. */
  #outbox: number[] = [];
  #flushing: NodeJS.Immediate | undefined;

  constructor(limit: TimeLimit) {
    this.#limit = limit;
  }

  /**
   * Returns the function that runs a check in the worker: inline code (a function body over
   * `parameters`, already known to compile) or a module's default export (loaded on first call,
   * which the time limit includes). `label` names it in a time-limit error. Arguments and results
   * cross to the worker as structured clones (plain data: strings, numbers, lists, objects).
   */
  define(source: CheckSource, label: string): (...args: unknown[]) => Promise<unknown> {
    const check = this.#nextCheck++;
    this.#sources.set(check, source);
    return (...args) =>
      new Promise((resolve, reject) => {
        if (this.#closed) {
          reject(new ChecksClosedError('the run was stopped before the check ran'));
          return;
        }
        const call = this.#nextCall++;
        this.#pending.set(call, { check, args, label, resolve, reject });
        this.#watchdog?.ref();
        this.#outbox.push(call);
        this.#flushing ??= setImmediate(() => this.#flush());
      });
  }

  /** Stops the worker; calls still pending fail. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#watchdog);
    if (this.#flushing) clearImmediate(this.#flushing);
    this.#stopWorker();
    for (const pending of this.#pending.values()) {
      pending.reject(new ChecksClosedError('the run was stopped before the check finished'));
    }
    this.#pending.clear();
  }

  /** Sends the waiting calls as one batch, with the definitions this worker has not seen yet. */
  #flush(): void {
    this.#flushing = undefined;
    const ids = this.#outbox.filter((call) => this.#pending.has(call));
    this.#outbox = [];
    if (ids.length === 0 || this.#closed) return;
    const state = this.#state ?? this.#startWorker();
    const defines: Array<{ id: number; source: CheckSource }> = [];
    const calls: CheckCall[] = ids.map((call) => {
      const { check, args } = this.#pending.get(call)!;
      if (!state.defined.has(check)) {
        defines.push({ id: check, source: this.#sources.get(check)! });
        state.defined.add(check);
      }
      return { call, check, args };
    });
    try {
      state.worker.postMessage({ defines, calls });
    } catch {
      // Some arguments cannot be cloned: send the calls one by one to fail only those.
      state.worker.postMessage({ defines, calls: [] });
      for (const call of calls) {
        try {
          state.worker.postMessage({ defines: [], calls: [call] });
        } catch (error) {
          const pending = this.#pending.get(call.call)!;
          this.#pending.delete(call.call);
          pending.reject(new Error(`cannot pass the check its arguments: ${(error as Error).message}`));
        }
      }
    }
    if (this.#pending.size === 0) this.#watchdog?.unref();
  }

  #startWorker(): WorkerState {
    const running = new Int32Array(new SharedArrayBuffer(4));
    const channel = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { running: running.buffer, replies: channel.port2 },
      transferList: [channel.port2],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    const state: WorkerState = { worker, replies: channel.port1, running, defined: new Set() };
    channel.port1.on('message', (replies: CheckReply[]) => this.#settleAll(replies));
    channel.port1.unref();
    worker.unref();
    let failure = '';
    worker.on('error', (error) => {
      failure = `: ${error.message}`; // the worker ends: 'exit' follows
    });
    worker.on('exit', (code) => {
      if (this.#state === state)
        this.#workerDied(`the javascript check worker stopped (exit code ${code}${failure})`);
    });
    this.#state = state;
    if (!this.#watchdog) {
      const tick = Math.min(1000, Math.max(10, Math.floor(this.#limit.ms / 5)));
      this.#watchdog = setInterval(() => this.#watch(), tick);
      if (this.#pending.size === 0) this.#watchdog.unref();
    }
    return state;
  }

  #settleAll(replies: CheckReply[]): void {
    for (const reply of replies) {
      const pending = this.#pending.get(reply.call);
      if (!pending) continue;
      this.#pending.delete(reply.call);
      if ('error' in reply)
        pending.reject(reply.loading ? new CheckLoadError(reply.error) : new Error(reply.error));
      else pending.resolve(reply.value);
    }
    if (this.#pending.size === 0) this.#watchdog?.unref();
  }

  #watch(): void {
    const state = this.#state;
    if (!state) return;
    const call = Atomics.load(state.running, 0);
    const now = performance.now();
    if (call === 0 || call !== this.#seen.call) {
      this.#seen = { call, since: now };
      return;
    }
    if (now - this.#seen.since < this.#limit.ms) return;
    // An answer may be waiting behind this timer: take it before declaring the call stuck.
    for (
      let message = receiveMessageOnPort(state.replies);
      message;
      message = receiveMessageOnPort(state.replies)
    ) {
      this.#settleAll(message.message as CheckReply[]);
    }
    if (Atomics.load(state.running, 0) !== call) return;
    const stuck = this.#pending.get(call);
    this.#pending.delete(call);
    stuck?.reject(new TimeLimitError(stuck.label, this.#limit));
    this.#replaceWorker();
  }

  /**
   * A worker that died running a check (it exited, ran out of memory) fails that check and the
   * others go to a new worker; one that died between checks fails them all, so a worker that cannot
   * start is not restarted without end.
   */
  #workerDied(reason: string): void {
    const call = Atomics.load(this.#state!.running, 0);
    const failed = call === 0 ? [...this.#pending.keys()] : [call];
    for (const id of failed) {
      this.#pending.get(id)?.reject(new Error(reason));
      this.#pending.delete(id);
    }
    this.#replaceWorker();
  }

  /** Stops the worker and sends the calls it had not answered to a new one. */
  #replaceWorker(): void {
    this.#stopWorker();
    this.#seen = { call: 0, since: 0 };
    if (this.#closed) return;
    // Calls not sent yet are in the outbox already; the rest go again, in order.
    const waiting = new Set(this.#outbox);
    const resend = [...this.#pending.keys()].filter((call) => !waiting.has(call)).sort((a, b) => a - b);
    this.#outbox = [...resend, ...this.#outbox];
    this.#flush();
  }

  #stopWorker(): void {
    const state = this.#state;
    if (!state) return;
    this.#state = undefined;
    state.replies.close();
    void state.worker.terminate();
  }
}
