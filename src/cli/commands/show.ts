import pc from 'picocolors';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { formatMs, formatScore, formatTokens, formatUsd, terminalText } from '../../report/format.js';
import { requireRun } from '../../runs/find.js';
import type { ItemResult } from '../../types.js';
import { type ProjectFlags, printJson, runTargetName, withReadOnlyStore } from './project-store.js';

export interface ShowFlags extends ProjectFlags {
  target?: string;
  repeat?: number;
  json?: boolean;
}

/** Model output, prompts and messages as the terminal should print them (see `terminalText`). */
const safe = terminalText;

/** One result in full, for a terminal: what was sent, what came back, scores and the call. */
export function renderItem(result: ItemResult, color: boolean): string {
  const c = color
    ? pc
    : {
        bold: (t: string) => t,
        dim: (t: string) => t,
        red: (t: string) => t,
        green: (t: string) => t,
        yellow: (t: string) => t,
      };
  const status =
    result.status === 'passed'
      ? c.green('PASS')
      : result.status === 'failed'
        ? c.red('FAIL')
        : c.yellow('ERROR');
  const lines = [
    c.bold(`${status} ${safe(result.taskId)} · ${safe(result.targetName)} · repeat ${result.repeat}`),
    c.dim(
      `item ${result.itemId} · task version ${result.taskVersion} · target version ${result.targetVersion}`,
    ),
    '',
    c.bold('prompt'),
    ...result.prompt.map(
      (message) => `  [${safe(message.role)}] ${safe(message.content).replace(/\n/g, '\n    ')}`,
    ),
    '',
    c.bold('output'),
    result.output === null ? '  (none)' : `  ${safe(result.output).replace(/\n/g, '\n  ')}`,
  ];
  if (result.error)
    lines.push('', c.bold('error'), `  ${result.error.category}: ${safe(result.error.message)}`);
  lines.push('', c.bold(`scores · total ${formatScore(result.score)}`));
  if (result.scores.length === 0) lines.push('  (none)');
  for (const score of result.scores) {
    const mark = score.pass ? c.green('✓') : c.red('✗');
    const extras = [
      `weight ${score.weight}`,
      ...(score.metric ? [`metric ${safe(score.metric)}`] : []),
      ...(score.costUsd !== undefined ? [`judge ${formatUsd(score.costUsd)}`] : []),
    ];
    lines.push(
      `  ${mark} ${safe(score.name)} ${formatScore(score.value)} (${extras.join(', ')}): ${safe(score.reason)}`,
    );
  }
  const usage = result.usage;
  lines.push(
    '',
    c.bold('call'),
    `  latency ${formatMs(result.latencyMs)}${result.ttftMs !== undefined ? ` · first token ${formatMs(result.ttftMs)}` : ''}`,
    `  tokens in ${formatTokens(usage.inputTokens)} · out ${formatTokens(usage.outputTokens)}${usage.cachedInputTokens ? ` · cached in ${formatTokens(usage.cachedInputTokens)}` : ''}${usage.reasoningTokens ? ` · reasoning ${formatTokens(usage.reasoningTokens)}` : ''}`,
    `  cost ${formatUsd(result.costUsd)}${result.judgeCostUsd ? ` · judge ${formatUsd(result.judgeCostUsd)}` : ''}${result.savedUsd ? ` · saved by cache ${formatUsd(result.savedUsd)}` : ''}`,
    `  served by ${safe(result.servedBy)}${result.cached ? ' · from cache' : ''}${result.stale ? ' (stale)' : ''} · ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`,
  );
  for (const [index, attempt] of (result.attemptLog ?? []).entries()) {
    lines.push(
      `    ${index + 1}. ${safe(attempt.target)} ${attempt.outcome}${attempt.httpStatus ? ` (HTTP ${attempt.httpStatus})` : ''} ${formatMs(attempt.latencyMs)}${attempt.message ? `: ${safe(attempt.message)}` : ''}`,
    );
  }
  return lines.join('\n');
}

export async function showCommand(runId: string, taskId: string, flags: ShowFlags): Promise<number> {
  return withReadOnlyStore(flags, async (store) => {
    const run = await requireRun(store, runId, '<run>');
    const targetName = flags.target ? await runTargetName(store, run, flags.target) : undefined;
    let results = await store.listResults({
      runId: run.id,
      taskId,
      ...(targetName ? { targetName } : {}),
    });
    if (flags.repeat !== undefined) results = results.filter((result) => result.repeat === flags.repeat);
    if (results.length === 0) {
      throw new UserError(
        `run ${run.id.slice(0, 8)} has no result for task "${taskId}"${flags.target ? ` on target "${targetName}"` : ''}${flags.repeat !== undefined ? ` at repeat ${flags.repeat}` : ''}`,
        '<task>',
        `list its results with \`assay results --run ${run.id.slice(0, 8)}\``,
      );
    }
    if (flags.json) {
      printJson(results);
      return EXIT.ok;
    }
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    process.stdout.write(`${results.map((result) => renderItem(result, color)).join('\n\n────\n\n')}\n`);
    return EXIT.ok;
  });
}
export { requireRun } from '../../runs/find.js';
