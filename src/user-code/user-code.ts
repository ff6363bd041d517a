import { CheckWorker } from './check-worker.js';
import type { TimeLimit } from './time-limit.js';

/**
 * What runs the user's code for one run: the time limit of one call (`defaults.code_timeout`) and
 * the worker thread of `javascript` checks. `close` stops the worker.
 */
export class UserCode {
  readonly limit: TimeLimit;
  readonly checks: CheckWorker;

  constructor(limit: TimeLimit) {
    this.limit = limit;
    this.checks = new CheckWorker(limit);
  }

  close(): void {
    this.checks.close();
  }
}
