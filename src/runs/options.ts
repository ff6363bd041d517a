import type { Project } from '../config/load.js';
import { UserError } from '../errors.js';
import type { RunOptions } from '../types.js';

/** The most times a task may run in one run, from `--repeat` as from a task's or suite's `repeat:`. */
export const MAX_REPEAT = 1000;

/** What a caller (CLI flags, an API request, `assay ci`) asks a new run to cover. */
export interface RunSelection {
  suite?: string;
  filters?: string[];
  targets?: string[];
  /** Times each task runs; overrides tasks' own `repeat:`. */
  repeat?: number;
  first?: number;
  sample?: number;
  seed?: string;
}

/** Whether a selection narrows or widens a run: a resumed or retried run cannot take one. */
export function hasSelection(selection: RunSelection): boolean {
  return (
    selection.suite !== undefined ||
    (selection.filters?.length ?? 0) > 0 ||
    (selection.targets?.length ?? 0) > 0 ||
    selection.repeat !== undefined ||
    selection.first !== undefined ||
    selection.sample !== undefined ||
    selection.seed !== undefined
  );
}

/**
 * The stored options of a new run: the selection checked and completed with the project's defaults
 * (the suite's repeat, else `defaults.repeat`). The one place these rules live.
 */
export function runOptionsFor(project: Project, selection: RunSelection): RunOptions {
  if (selection.first !== undefined && selection.sample !== undefined) {
    throw new UserError('--first and --sample cannot be combined', '--sample', 'use one of them');
  }
  if (selection.seed !== undefined && selection.sample === undefined) {
    throw new UserError('--seed only applies to --sample', '--seed', 'add --sample <n>, or drop --seed');
  }
  if (selection.repeat !== undefined && selection.repeat > MAX_REPEAT) {
    throw new UserError(
      `--repeat ${selection.repeat} is over the limit of ${MAX_REPEAT}`,
      '--repeat',
      `use at most ${MAX_REPEAT}; for more samples, run again and compare`,
    );
  }
  const suite = selection.suite ?? null;
  if (suite !== null && !Object.hasOwn(project.config.suites, suite)) {
    const known = Object.keys(project.config.suites);
    throw new UserError(
      `unknown suite "${suite}"`,
      '--suite',
      known.length ? `known suites: ${known.join(', ')}` : 'define suites under `suites:` in assay.yaml',
    );
  }
  const suiteRepeat = suite !== null ? project.config.suites[suite]?.repeat : undefined;
  return {
    suite,
    filters: selection.filters ?? [],
    targets: selection.targets ?? [],
    repeat: selection.repeat ?? suiteRepeat ?? project.config.defaults.repeat,
    ...(selection.repeat !== undefined ? { repeatForced: true } : {}),
    ...(selection.first !== undefined ? { first: selection.first } : {}),
    ...(selection.sample !== undefined
      ? { sample: { size: selection.sample, seed: selection.seed ?? '1' } }
      : {}),
  };
}
