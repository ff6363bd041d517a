import type { Flip, RunComparison, TargetComparison } from '../compare/compare.js';
import type { Verdict } from '../compare/verdict.js';
import { formatP } from '../compare/verdict.js';
import {
  confoundedWarning,
  describeAlignment,
  describeChanges,
  describeSide,
  FLIPS_LISTED,
  formatCostDelta,
  formatLatencyDelta,
  formatMetricDelta,
  formatMetricInterval,
  formatMetricValue,
  formatSideCost,
  formatSideLatency,
  incompleteWarning,
  metricLabel,
  pairLabel,
} from './compare-format.js';
import { type Colors, colorsFor, longestLength, plural, truncateLine } from './format.js';

export interface CompareRenderOptions {
  color: boolean;
}

const REASON_CHARS = 80;

/** The comparison for a terminal: the two runs, what changed, then one block per target pair. */
export function renderComparisonText(comparison: RunComparison, options: CompareRenderOptions): string {
  const colors = colorsFor(options.color);
  const lines = [
    `${colors.bold('A')}  ${describeSide(comparison.a)}`,
    `${colors.bold('B')}  ${describeSide(comparison.b)}`,
  ];
  // A confounded comparison's warning lists every change itself.
  const confounded = confoundedWarning(comparison);
  if (confounded) lines.push(colors.yellow(`warning: ${confounded}`));
  else lines.push(`${colors.bold('changed')}  ${describeChanges(comparison)}`);
  const incomplete = incompleteWarning(comparison);
  if (incomplete) lines.push(colors.yellow(`warning: ${incomplete}`));
  const { onlyA, onlyB } = comparison.unpairedTargets;
  if (onlyA.length > 0) lines.push(colors.dim(`targets only in A (not compared): ${onlyA.join(', ')}`));
  if (onlyB.length > 0) lines.push(colors.dim(`targets only in B (not compared): ${onlyB.join(', ')}`));
  if (comparison.note) lines.push(colors.yellow(`not comparable: ${comparison.note}`));
  for (const target of comparison.targets) lines.push('', ...renderTarget(target, comparison, colors));
  lines.push(
    '',
    colors.dim(
      `verdicts decided by ${metricLabel(comparison.metric)} at p < 0.05 · bootstrap seed ${comparison.seed} · see docs/compare.md`,
    ),
  );
  return lines.join('\n');
}

function renderTarget(target: TargetComparison, comparison: RunComparison, colors: Colors): string[] {
  const lines = [
    `${colors.bold(pairLabel(target))}  ${paintVerdict(target.verdict, colors)}  ${colors.dim(target.reason)}`,
    `  ${describeAlignment(target)}`,
  ];
  if (target.aligned === 0) return lines;
  const rows = [
    ['metric', 'A', 'B', 'Δ (B − A)', '95% CI'],
    ...target.metrics
      .filter((metric) => metric.n > 0 || metric.name === comparison.metric)
      .map((metric) => [
        `${metricLabel(metric.name)}${metric.name === comparison.metric ? ' *' : ''}`,
        formatMetricValue(metric, metric.a),
        formatMetricValue(metric, metric.b),
        formatMetricDelta(metric, metric.delta),
        formatMetricInterval(metric),
      ]),
    ['cost', formatSideCost(target.cost.a), formatSideCost(target.cost.b), formatCostDelta(target.cost), ''],
    [
      'latency',
      formatSideLatency(target.latency.a),
      formatSideLatency(target.latency.b),
      formatLatencyDelta(target.latency),
      '',
    ],
  ];
  lines.push(...alignRows(rows).map((row, index) => `  ${index === 0 ? colors.bold(row) : row}`));
  lines.push(
    `  McNemar exact p = ${formatP(target.passFail.pValue)} · ${plural(target.regressions.length, 'regression')} · ${plural(target.improvements.length, 'improvement')}`,
  );
  lines.push(...renderFlips('regressions (passed in A, not in B)', target.regressions, colors.red, colors));
  lines.push(
    ...renderFlips('improvements (not passed in A, passed in B)', target.improvements, colors.green, colors),
  );
  return lines;
}

function renderFlips(title: string, flips: readonly Flip[], paint: (text: string) => string, colors: Colors) {
  if (flips.length === 0) return [];
  const lines = [`  ${paint(`${flips.length} ${title}`)}`];
  const width = Math.min(40, longestLength(flips.slice(0, FLIPS_LISTED).map(flipName)));
  for (const flip of flips.slice(0, FLIPS_LISTED)) {
    lines.push(
      `    ${truncateLine(flipName(flip), 40).padEnd(width)}  ${flip.a} → ${flip.b}  ${truncateLine(flip.reason, REASON_CHARS)}`,
      colors.dim(`    ${' '.repeat(width)}  ${flip.command}`),
    );
  }
  if (flips.length > FLIPS_LISTED) {
    lines.push(colors.dim(`    … and ${flips.length - FLIPS_LISTED} more (--json lists every one)`));
  }
  return lines;
}

function flipName(flip: Flip): string {
  return flip.repeat > 0 ? `${flip.taskId} #${flip.repeat}` : flip.taskId;
}

function paintVerdict(verdict: Verdict, colors: Colors): string {
  const text = verdict.toUpperCase();
  if (verdict === 'better') return colors.green(colors.bold(text));
  if (verdict === 'worse') return colors.red(colors.bold(text));
  if (verdict === 'not comparable') return colors.yellow(text);
  return text;
}

function alignRows(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
      .join('  ')
      .trimEnd(),
  );
}
