import { resolveTargetName } from '../config/target-name.js';
import { UserError } from '../errors.js';
import { compareText } from './align.js';

/** One target of run A compared with one target of run B (the same name unless renamed). */
export interface TargetPair {
  a: string;
  b: string;
}

export interface TargetPairing {
  pairs: TargetPair[];
  /** Targets left out of every pair. */
  onlyA: string[];
  onlyB: string[];
  /** Why nothing could be paired, when nothing was. */
  note: string | null;
}

/**
 * Which targets to compare: an explicit pair (`--target-a X --target-b Y`; one alone means the same
 * name on both sides), else every target name the runs share, else, when each run has exactly one
 * target, those two (a model swap renames the target). Names are sorted.
 */
export function pairTargets(
  targetsA: readonly string[],
  targetsB: readonly string[],
  explicit: { a?: string; b?: string } = {},
): TargetPairing {
  const namesA = [...new Set(targetsA)].sort(compareText);
  const namesB = [...new Set(targetsB)].sort(compareText);
  if (explicit.a !== undefined || explicit.b !== undefined) {
    const a = requireTarget(namesA, explicit.a ?? explicit.b!, 'A', '--target-a');
    const b = requireTarget(namesB, explicit.b ?? explicit.a!, 'B', '--target-b');
    return {
      pairs: [{ a, b }],
      onlyA: namesA.filter((name) => name !== a),
      onlyB: namesB.filter((name) => name !== b),
      note: null,
    };
  }
  const shared = namesA.filter((name) => namesB.includes(name));
  if (shared.length > 0) {
    return {
      pairs: shared.map((name) => ({ a: name, b: name })),
      onlyA: namesA.filter((name) => !shared.includes(name)),
      onlyB: namesB.filter((name) => !shared.includes(name)),
      note: null,
    };
  }
  if (namesA.length === 1 && namesB.length === 1) {
    return { pairs: [{ a: namesA[0]!, b: namesB[0]! }], onlyA: [], onlyB: [], note: null };
  }
  return {
    pairs: [],
    onlyA: namesA,
    onlyB: namesB,
    note:
      namesA.length === 0 || namesB.length === 0
        ? `run ${namesA.length === 0 ? 'A' : 'B'} has no results`
        : 'the runs share no target; choose a pair with --target-a <name> --target-b <name>',
  };
}

function requireTarget(names: readonly string[], name: string, run: string, flag: string): string {
  if (names.length === 0)
    throw new UserError(`run ${run} has no results`, flag, 'compare runs that have results');
  return resolveTargetName(name, names, flag, `targets of run ${run}`);
}
