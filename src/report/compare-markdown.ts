import type { Flip, RunComparison, TargetComparison } from '../compare/compare.js';
import { formatP, type Verdict } from '../compare/verdict.js';
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
import { escapeCell, escapeMarkdown } from './export/markdown.js';
import { longestLength } from './format.js';

export interface CompareMarkdownOptions {
  /** Heading level of the sections (`###` by default; the CI report nests them one deeper). */
  level?: number;
}

const VERDICT_MARK: Record<Verdict, string> = {
  better: '🟢 better',
  worse: '🔴 worse',
  'no significant difference': '⚪ no significant difference',
  'not comparable': '⚠️ not comparable',
};

/**
 * The comparison as GitHub-flavoured Markdown: the runs, what changed, a verdict table with one row
 * per target pair, then each pair's metrics and flips with the command to inspect each.
 */
export function renderComparisonMarkdown(
  comparison: RunComparison,
  options: CompareMarkdownOptions = {},
): string {
  const level = options.level ?? 3;
  const heading = (depth: number, text: string) => `${'#'.repeat(Math.min(6, level + depth))} ${text}`;
  const lines = [
    heading(
      0,
      `Comparison: ${code(comparison.b.id.slice(0, 8))} (B) against ${code(comparison.a.id.slice(0, 8))} (A)`,
    ),
    '',
    `- **A** ${escapeMarkdown(describeSide(comparison.a))}`,
    `- **B** ${escapeMarkdown(describeSide(comparison.b))}`,
  ];
  const confounded = confoundedWarning(comparison);
  // A confounded comparison's warning lists every change itself.
  if (!confounded) lines.push(`- **Changed:** ${escapeMarkdown(describeChanges(comparison))}`);
  const { onlyA, onlyB } = comparison.unpairedTargets;
  if (onlyA.length > 0) lines.push(`- Targets only in A (not compared): ${onlyA.map(code).join(', ')}`);
  if (onlyB.length > 0) lines.push(`- Targets only in B (not compared): ${onlyB.map(code).join(', ')}`);
  for (const warning of [confounded, incompleteWarning(comparison)]) {
    if (warning) lines.push('', '> [!WARNING]', `> ${escapeMarkdown(warning)}`);
  }
  if (comparison.note) lines.push('', `**Not comparable:** ${escapeMarkdown(comparison.note)}`);
  if (comparison.targets.length > 0) lines.push('', ...verdictTable(comparison));
  for (const target of comparison.targets) {
    const section = targetSection(target, comparison);
    if (target.regressions.length + target.improvements.length > 0) {
      lines.push('', heading(1, escapeMarkdown(pairLabel(target))), '', ...section);
    } else {
      // Nothing flipped: the numbers are one click away instead of filling the comment.
      const summary = `${pairLabel(target)}: ${target.verdict}, metrics, cost and latency`;
      lines.push(
        '',
        '<details>',
        `<summary>${escapeHtml(summary)}</summary>`,
        '',
        ...section,
        '',
        '</details>',
      );
    }
  }
  lines.push(
    '',
    `<sub>Verdicts decided by ${escapeMarkdown(metricLabel(comparison.metric))} at p < 0.05 (McNemar exact test for the pass rate, 95% paired-bootstrap interval otherwise; seed ${escapeMarkdown(comparison.seed)}).</sub>`,
  );
  return lines.join('\n');
}

function verdictTable(comparison: RunComparison): string[] {
  const rows = comparison.targets.map((target) => {
    const passRate = target.metrics.find((metric) => metric.name === 'pass_rate')!;
    return [
      escapeCell(pairLabel(target)),
      VERDICT_MARK[target.verdict],
      `${formatMetricValue(passRate, passRate.a)} → ${formatMetricValue(passRate, passRate.b)}`,
      `${formatMetricDelta(passRate, passRate.delta)} ${formatMetricInterval(passRate)}`,
      target.aligned === 0 ? '–' : formatP(target.passFail.pValue),
      String(target.regressions.length),
      String(target.improvements.length),
      escapeMarkdown(formatCostDelta(target.cost)),
    ];
  });
  return table(
    [
      'target',
      'verdict',
      'pass rate A → B',
      'Δ (95% CI)',
      'McNemar p',
      'regressions',
      'improvements',
      'cost Δ',
    ],
    [false, false, true, true, true, true, true, true],
    rows,
  );
}

function targetSection(target: TargetComparison, comparison: RunComparison): string[] {
  const lines = [
    `**${VERDICT_MARK[target.verdict]}**: ${escapeMarkdown(target.reason)}.`,
    '',
    escapeMarkdown(describeAlignment(target)),
  ];
  if (target.aligned === 0) return lines;
  const rows = target.metrics
    .filter((metric) => metric.n > 0 || metric.name === comparison.metric)
    .map((metric) => [
      `${escapeMarkdown(metricLabel(metric.name))}${metric.name === comparison.metric ? ' (decides)' : ''}`,
      formatMetricValue(metric, metric.a),
      formatMetricValue(metric, metric.b),
      formatMetricDelta(metric, metric.delta),
      formatMetricInterval(metric),
      String(metric.n),
    ]);
  rows.push(
    [
      'cost',
      formatSideCost(target.cost.a),
      formatSideCost(target.cost.b),
      formatCostDelta(target.cost),
      '',
      '',
    ].map(escapeMarkdown),
    [
      'latency',
      formatSideLatency(target.latency.a),
      formatSideLatency(target.latency.b),
      formatLatencyDelta(target.latency),
      '',
      '',
    ].map(escapeMarkdown),
  );
  lines.push(
    '',
    ...table(['metric', 'A', 'B', 'Δ (B − A)', '95% CI', 'n'], [false, true, true, true, true, true], rows),
  );
  lines.push(...flipTable('Regressions', 'passed in A, not in B', target.regressions));
  lines.push(...flipTable('Improvements', 'not passed in A, passed in B', target.improvements));
  return lines;
}

function flipTable(title: string, meaning: string, flips: readonly Flip[]): string[] {
  if (flips.length === 0) return [];
  const rows = flips
    .slice(0, FLIPS_LISTED)
    .map((flip) => [
      escapeCell(flip.repeat > 0 ? `${flip.taskId} #${flip.repeat}` : flip.taskId),
      `${flip.a} → ${flip.b}`,
      escapeCell(flip.reason, 120),
      code(flip.command),
    ]);
  const lines = [
    '',
    `**${title} (${flips.length})**: ${meaning}`,
    '',
    ...table(['task', 'A → B', 'reason', 'inspect'], [false, false, false, false], rows),
  ];
  if (flips.length > FLIPS_LISTED) {
    lines.push('', `_… and ${flips.length - FLIPS_LISTED} more; \`assay compare --json\` lists every one._`);
  }
  return lines;
}

function table(headers: string[], numeric: boolean[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(numeric.map((right) => (right ? '---:' : ':---'))), ...rows.map(line)];
}

/** An inline code span that holds any text, pipes escaped for tables. */
export function code(text: string): string {
  const longest = longestLength(text.match(/`+/g) ?? []);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replaceAll('|', '\\|')}${pad}${fence}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
