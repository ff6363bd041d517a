import type { RunFingerprint } from '../types.js';
import { compareText } from './align.js';
import type { TargetPair } from './targets.js';

/**
 * What part of a run's fingerprint changed. `git` and `config` are context: a new commit comes with
 * every change, and the config hash moves with any prompt or target edit.
 */
export type ChangeKind = 'prompt' | 'target' | 'dataset' | 'scorer' | 'judge' | 'assay' | 'git' | 'config';

export interface FingerprintChange {
  kind: ChangeKind;
  /** The prompt, target, scorer or judge concerned (`a → b` for a renamed target); null otherwise. */
  name: string | null;
  /** null when the entry is new in B. */
  before: string | null;
  /** null when the entry is gone in B. */
  after: string | null;
}

/** Kinds that can change a model's answers or their scores, in display order. */
const OF_INTEREST: readonly ChangeKind[] = ['prompt', 'target', 'dataset', 'scorer', 'judge', 'assay'];
const ORDER: readonly ChangeKind[] = [...OF_INTEREST, 'config', 'git'];

/**
 * Everything that differs between two fingerprints. Targets are compared through `pairs` (so a
 * renamed target shows as one change, `a → b`); targets outside every pair show as added or removed.
 */
export function diffFingerprints(
  a: RunFingerprint,
  b: RunFingerprint,
  pairs: readonly TargetPair[] = [],
): FingerprintChange[] {
  const changes: FingerprintChange[] = [
    ...diffMaps('prompt', a.promptVersions, b.promptVersions),
    ...diffTargets(a.targetVersions, b.targetVersions, pairs),
    ...diffValue('dataset', a.datasetVersion, b.datasetVersion),
    ...diffMaps('scorer', a.scorerVersions, b.scorerVersions),
    ...diffMaps('judge', a.judgeVersions ?? {}, b.judgeVersions ?? {}),
    ...diffValue('assay', a.assayVersion, b.assayVersion),
    ...diffValue('config', a.configHash, b.configHash),
    ...diffValue('git', a.gitCommit, b.gitCommit),
  ];
  return changes.sort((left, right) => ORDER.indexOf(left.kind) - ORDER.indexOf(right.kind));
}

/**
 * The distinct kinds of change that could each explain a difference in results. A target's version
 * includes its prompt, so when a prompt changed, a target that kept its name is counted under the
 * prompt; a renamed, added or removed target always counts.
 */
export function kindsOfInterest(changes: readonly FingerprintChange[]): ChangeKind[] {
  const promptChanged = changes.some((change) => change.kind === 'prompt');
  const kinds = new Set<ChangeKind>();
  for (const change of changes) {
    if (!OF_INTEREST.includes(change.kind)) continue;
    const sameTargetVersionBump =
      change.kind === 'target' && change.before !== null && change.after !== null && !isRename(change);
    if (sameTargetVersionBump && promptChanged) continue;
    kinds.add(change.kind);
  }
  return OF_INTEREST.filter((kind) => kinds.has(kind));
}

/** `prompt answer 3f2a9c1d → 9c1e0b2a`, `target claude added`, `git commit 4b825dc6 → 1a2b3c4d`. */
export function describeChange(change: FingerprintChange): string {
  const label =
    change.kind === 'git' ? 'git commit' : change.kind === 'assay' ? 'assay version' : change.kind;
  const subject = change.name === null ? label : `${label} ${change.name}`;
  if (isRename(change)) return `${subject} (${short(change.before ?? '–')} → ${short(change.after ?? '–')})`;
  if (change.before === null) return `${subject} added${change.after ? ` (${short(change.after)})` : ''}`;
  if (change.after === null) return `${subject} removed`;
  return `${subject} ${short(change.before)} → ${short(change.after)}`;
}

function isRename(change: FingerprintChange): boolean {
  return change.kind === 'target' && change.name !== null && change.name.includes(' → ');
}

function short(version: string): string {
  return /^[0-9a-f]{13,}$/.test(version) ? version.slice(0, 8) : version;
}

function diffValue(kind: ChangeKind, before: string | null, after: string | null): FingerprintChange[] {
  return before === after ? [] : [{ kind, name: null, before, after }];
}

function diffMaps(
  kind: ChangeKind,
  before: Record<string, string>,
  after: Record<string, string>,
): FingerprintChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareText);
  const changes: FingerprintChange[] = [];
  for (const name of names) {
    const old = Object.hasOwn(before, name) ? before[name]! : null;
    const now = Object.hasOwn(after, name) ? after[name]! : null;
    if (old !== now) changes.push({ kind, name, before: old, after: now });
  }
  return changes;
}

function diffTargets(
  before: Record<string, string>,
  after: Record<string, string>,
  pairs: readonly TargetPair[],
): FingerprintChange[] {
  const renamed = pairs.filter((pair) => pair.a !== pair.b);
  if (renamed.length === 0) return diffMaps('target', before, after);
  const changes: FingerprintChange[] = [];
  const skipA = new Set(renamed.map((pair) => pair.a));
  const skipB = new Set(renamed.map((pair) => pair.b));
  for (const pair of renamed) {
    changes.push({
      kind: 'target',
      name: `${pair.a} → ${pair.b}`,
      before: before[pair.a] ?? null,
      after: after[pair.b] ?? null,
    });
  }
  const rest = (map: Record<string, string>, skip: Set<string>) =>
    Object.fromEntries(Object.entries(map).filter(([name]) => !skip.has(name)));
  changes.push(...diffMaps('target', rest(before, skipA), rest(after, skipB)));
  return changes;
}
