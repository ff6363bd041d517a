/** Process exit codes, documented in `assay --help` and the README. */
export const EXIT = {
  /** Every item passed. */
  ok: 0,
  /** The run finished but some items failed or errored. */
  failures: 1,
  /** Bad config, bad flags or bad input files. */
  usage: 2,
  /** The run was stopped before it finished (Ctrl-C), or the machine failed: a full disk, a database gone. */
  aborted: 3,
  /** The run stopped at its budget: calls that would have crossed it were skipped. */
  budget: 4,
} as const;
