import type { RunComparison, RunSide, TargetComparison } from '../compare/compare.js';
import { describeChange } from '../compare/fingerprint-diff.js';
import { type MetricDelta, PASS_RATE, SCORE } from '../compare/metrics.js';
import { formatMs, formatPercent, formatScore, formatUsd, plural, UNKNOWN } from './format.js';

/** Display text shared by the terminal and Markdown renderers of a comparison. */

/** Most flips listed per target and direction before `… and N more`. */
export const FLIPS_LISTED = 20;

/** `pass rate`, `score`, or the named metric as written. */
export function metricLabel(name: string): string {
  if (name === PASS_RATE) return 'pass rate';
  if (name === SCORE) return 'score';
  return name;
}

/** A side's value: `85.0%` for the pass rate, `0.85` otherwise. */
export function formatMetricValue(metric: MetricDelta, value: number | null): string {
  return metric.name === PASS_RATE ? formatPercent(value) : formatScore(value);
}

/** `-40.0 pp` for the pass rate, `+0.12` otherwise. */
export function formatMetricDelta(metric: MetricDelta, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return UNKNOWN;
  if (metric.name === PASS_RATE) return `${signed(value * 100, 1)} pp`;
  return signed(value, 2);
}

/** `[-61.9, -20.0]`; `–` without an interval. */
export function formatMetricInterval(metric: MetricDelta): string {
  if (metric.low === null || metric.high === null) return UNKNOWN;
  const scale = metric.name === PASS_RATE ? 100 : 1;
  const digits = metric.name === PASS_RATE ? 1 : 2;
  return `[${signed(metric.low * scale, digits)}, ${signed(metric.high * scale, digits)}]`;
}

/** A number with its sign; a value that rounds to zero shows as plain zero. */
export function signed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return value > 0 ? `+${text}` : text;
}

export function signedUsd(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return UNKNOWN;
  if (value === 0) return '$0';
  return value > 0 ? `+${formatUsd(value)}` : `-${formatUsd(-value)}`;
}

export function signedMs(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return UNKNOWN;
  if (Math.round(value) === 0) return '0ms';
  return value > 0 ? `+${formatMs(value)}` : `-${formatMs(-value)}`;
}

/** `$0.0021 ($0.0001/item)`, with `*` when some item's price is unknown. */
export function formatSideCost(side: TargetComparison['cost']['a']): string {
  const star = side.totalUsd !== null && side.unknown > 0 ? '*' : '';
  if (side.perItemUsd === null) return `${formatUsd(side.totalUsd)}${star}`;
  return `${formatUsd(side.totalUsd)}${star} (${formatUsd(side.perItemUsd)}/item)`;
}

export function formatCostDelta(cost: TargetComparison['cost']): string {
  if (cost.deltaTotalUsd === null) return UNKNOWN;
  return `${signedUsd(cost.deltaTotalUsd)} (${signedUsd(cost.deltaPerItemUsd)}/item)`;
}

export function formatSideLatency(side: TargetComparison['latency']['a']): string {
  if (side.meanMs === null) return `${UNKNOWN} (no calls)`;
  return `${formatMs(side.meanMs)} mean, ${formatMs(side.totalMs)} total`;
}

export function formatLatencyDelta(latency: TargetComparison['latency']): string {
  if (latency.deltaMeanMs === null) return UNKNOWN;
  return `${signedMs(latency.deltaMeanMs)} mean, ${signedMs(latency.deltaTotalMs)} total`;
}

/** `gpt` or `gpt → claude`. */
export function pairLabel(target: TargetComparison): string {
  return target.a === target.b ? target.a : `${target.a} → ${target.b}`;
}

/** `3f2a9c1d · 2025-01-02 03:04 UTC · completed · suite critical · 20 results`. */
export function describeSide(side: RunSide): string {
  const parts = [
    side.id.slice(0, 8),
    `${new Date(side.startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    side.status,
  ];
  if (side.suite !== null) parts.push(`suite ${side.suite}`);
  parts.push(plural(side.results, 'result'));
  if (side.gitCommit) parts.push(`commit ${side.gitCommit.slice(0, 8)}`);
  return parts.join(' · ');
}

/** Every fingerprint change on one line, or `nothing` when the fingerprints are equal. */
export function describeChanges(comparison: RunComparison): string {
  if (comparison.changes.length === 0) return 'nothing (same prompts, targets, dataset, scorers and version)';
  return comparison.changes.map(describeChange).join(' · ');
}

/** The warning for a confounded comparison, or null. */
export function confoundedWarning(comparison: RunComparison): string | null {
  if (comparison.confounded.length === 0) return null;
  return `more than one thing changed (${comparison.confounded.join(', ')}): a difference cannot be pinned on one of them. Changes: ${comparison.changes.map(describeChange).join('; ')}`;
}

/** Status of runs that did not complete, or null. */
export function incompleteWarning(comparison: RunComparison): string | null {
  const notes: string[] = [];
  if (comparison.a.status !== 'completed') notes.push(`run A is ${comparison.a.status}`);
  if (comparison.b.status !== 'completed') notes.push(`run B is ${comparison.b.status}`);
  return notes.length > 0 ? `${notes.join(', ')}: only the items it finished are compared` : null;
}

/** `20 aligned items · 2 tasks only in A · 1 only in B (compared on the shared tasks)`. */
export function describeAlignment(target: TargetComparison): string {
  const parts = [plural(target.aligned, 'aligned item')];
  if (target.onlyA.length > 0 || target.onlyB.length > 0) {
    parts.push(
      `${plural(target.onlyA.length, 'task')} only in A, ${target.onlyB.length} only in B (compared on the shared tasks)`,
    );
  }
  const extraRepeats = target.extraRepeatsA + target.extraRepeatsB;
  if (extraRepeats > 0) parts.push(`${plural(extraRepeats, 'repeat')} without a counterpart`);
  if (target.changedTasks.length > 0) {
    parts.push(`${plural(target.changedTasks.length, 'task')} changed content between the runs`);
  }
  return parts.join(' · ');
}
