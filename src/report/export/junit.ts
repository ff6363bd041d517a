import type { ItemResult, RunRecord } from '../../types.js';
import { failureReason, plural, truncateLine } from '../format.js';
import { type Case, groupCases } from './cases.js';
import type { ExportInput } from './input.js';
import { excerpt, seconds } from './text.js';
import { escapeXmlAttribute as attr, escapeXmlText as text } from './xml.js';

const MESSAGE_CHARS = 300;
const OUTPUT_CHARS = 1000;

interface RenderedCase {
  xml: string;
  outcome: 'passed' | 'failure' | 'error';
  ms: number;
}

/**
 * JUnit XML: one `<testsuite>` per target, one `<testcase>` per task with its repeats folded in
 * (`classname` = target, `name` = task id). Only the attributes of the common JUnit schema are used,
 * so GitHub test reporters, GitLab and Jenkins all read it.
 */
export function renderJunit(input: ExportInput): string {
  const { run } = input;
  const byTarget = new Map<string, Case[]>();
  for (const group of groupCases(input.results)) {
    const list = byTarget.get(group.target);
    if (list) list.push(group);
    else byTarget.set(group.target, [group]);
  }

  const totals = { tests: 0, failures: 0, errors: 0, ms: 0 };
  const suites: string[] = [];
  for (const [target, cases] of byTarget) {
    const rendered = cases.map(renderCase);
    const failures = rendered.filter((each) => each.outcome === 'failure').length;
    const errors = rendered.filter((each) => each.outcome === 'error').length;
    const ms = rendered.reduce((sum, each) => sum + each.ms, 0);
    totals.tests += rendered.length;
    totals.failures += failures;
    totals.errors += errors;
    totals.ms += ms;
    suites.push(
      [
        `  <testsuite name="${attr(target)}" tests="${rendered.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(ms)}" timestamp="${timestamp(run.startedAt)}">`,
        renderProperties(run, target),
        ...rendered.map((each) => each.xml),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`assay run ${run.id}`)}" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" time="${seconds(totals.ms)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

// The JUnit schema's timestamp has no zone; it is UTC here.
function timestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function renderProperties(run: RunRecord, target: string): string {
  const { fingerprint } = run;
  const properties: Array<[string, string | null | undefined]> = [
    ['assay.run_id', run.id],
    ['assay.run_status', run.status],
    ['assay.config_hash', fingerprint.configHash],
    ['assay.dataset_version', fingerprint.datasetVersion],
    ['assay.git_commit', fingerprint.gitCommit],
    ['assay.target_version', fingerprint.targetVersions[target]],
    ['assay.version', fingerprint.assayVersion],
  ];
  const lines = properties
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => `      <property name="${attr(name)}" value="${attr(value)}"/>`);
  return ['    <properties>', ...lines, '    </properties>'].join('\n');
}

function renderCase(group: Case): RenderedCase {
  const ms = group.results.reduce((sum, result) => sum + result.latencyMs, 0);
  const open = `    <testcase classname="${attr(group.target)}" name="${attr(group.taskId)}" time="${seconds(ms)}"`;
  const failing = group.results.filter((result) => result.status !== 'passed');
  const first = group.results.find((result) => result.status === 'failed') ?? failing[0];
  if (!first) return { xml: `${open}/>`, outcome: 'passed', ms };

  // A wrong answer outranks an error: it says something about the model, an error only about the call.
  const outcome = group.failed > 0 ? 'failure' : 'error';
  const message = truncateLine(`${countsPrefix(group)}${reasons(first)}`, MESSAGE_CHARS);
  const type = outcome === 'failure' ? 'assertion' : (first.error?.category ?? 'internal');
  const body = failing.map(describeRepeat).join('\n\n');
  return {
    xml: [
      `${open}>`,
      `      <${outcome} message="${attr(message)}" type="${attr(type)}">${text(body)}</${outcome}>`,
      '    </testcase>',
    ].join('\n'),
    outcome,
    ms,
  };
}

/** `2/3 repeats failed: ` when a task ran more than once; nothing for a single run. */
function countsPrefix(group: Case): string {
  const total = group.results.length;
  if (total === 1) return '';
  const parts: string[] = [];
  if (group.failed > 0) parts.push(`${group.failed}/${total} repeats failed`);
  if (group.errors > 0) parts.push(`${group.errors}/${total} errored`);
  return `${parts.join(', ')}: `;
}

/** Every failed assertion of a repeat on one line (`equals: …; contains: …`), or its error. */
function reasons(result: ItemResult): string {
  const failing = result.scores.filter((score) => !score.pass);
  if (result.status === 'error' || failing.length === 0) return failureReason(result, MESSAGE_CHARS);
  return truncateLine(
    failing.map((score) => (score.reason ? `${score.name}: ${score.reason}` : score.name)).join('; '),
    MESSAGE_CHARS,
  );
}

function describeRepeat(result: ItemResult): string {
  const lines: string[] = [];
  if (result.status === 'error') {
    const category = result.error?.category ?? 'internal';
    lines.push(`repeat ${result.repeat}: error (${category}): ${result.error?.message ?? 'unknown error'}`);
    if (result.attempts > 1) lines.push(`  after ${plural(result.attempts, 'attempt')}`);
  } else {
    lines.push(`repeat ${result.repeat}: failed, score ${result.score.toFixed(2)}`);
    for (const score of result.scores) {
      if (!score.pass) lines.push(`  ✗ ${score.name}${score.reason ? `: ${score.reason}` : ''}`);
    }
  }
  if (result.output !== null) {
    lines.push(`  output: ${excerpt(result.output, OUTPUT_CHARS).replaceAll('\n', '\n    ')}`);
  }
  return lines.join('\n');
}
