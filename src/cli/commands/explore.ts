import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { formatPercent, formatUsd, truncateLine } from '../../report/format.js';
import { summarizeRun } from '../../report/summary.js';
import { renderInsights, renderSummaryTable } from '../../report/table.js';
import type { Store } from '../../store/store.js';
import type { ItemResult, RunRecord } from '../../types.js';
import { formatDate, type ProjectFlags, withStore } from './project-store.js';
import { renderItem } from './show.js';

/** One choice in a menu. */
export interface Choice<T extends string> {
  value: T;
  label: string;
  hint?: string;
}

/**
 * What explore needs from a terminal UI: pick from a list, confirm, print. `null` means the user
 * cancelled (Esc / Ctrl-C). The real one is @clack/prompts; tests drive a scripted one.
 */
export interface Prompter {
  select<T extends string>(message: string, choices: Array<Choice<T>>): Promise<T | null>;
  confirm(message: string): Promise<boolean>;
  print(text: string): void;
}

/** Actions that run a whole command (compare, retry); injected so explore stays a thin UI over them. */
export interface ExploreActions {
  compare(runA: string, runB: string): Promise<number>;
  retryErrors(runId: string): Promise<number>;
}

const PAGE = 10;

function runLabel(run: RunRecord, stats: { passed: number; results: number; costUsd: number }): string {
  const rate = stats.results ? formatPercent(stats.passed / stats.results) : '-';
  return `${run.id.slice(0, 8)}  ${formatDate(run.startedAt)}  ${run.status.padEnd(11)} ${String(run.options.suite ?? 'all').padEnd(12)} ${rate.padStart(6)}  ${formatUsd(stats.costUsd)}`;
}

function itemLabel(result: ItemResult): string {
  const reason =
    result.error?.message ?? result.scores.find((score) => !score.pass && score.weight > 0)?.reason ?? '';
  return `${result.status === 'error' ? 'ERROR' : 'FAIL '} ${result.taskId} · ${result.targetName}${result.repeat ? ` #${result.repeat}` : ''} · ${truncateLine(reason, 60)}`;
}

/** The equivalent plain command, printed with every action so nothing here is UI-only. */
function scriptable(ui: Prompter, command: string): void {
  ui.print(`  (same as: ${command})`);
}

/** Picks one of the newest 30 runs (started before `before`, when given); null when cancelled or none. */
async function pickRun(
  store: Store,
  ui: Prompter,
  message: string,
  before?: number,
): Promise<RunRecord | null> {
  const listings = await store.listRuns({ limit: 30, ...(before !== undefined ? { before } : {}) });
  if (listings.length === 0) {
    ui.print(
      before === undefined
        ? 'no runs stored yet: start one with `assay run`'
        : 'no earlier run to compare with',
    );
    return null;
  }
  const id = await ui.select(
    message,
    listings.map(({ run, stats }) => ({ value: run.id, label: runLabel(run, stats) })),
  );
  return listings.find(({ run }) => run.id === id)?.run ?? null;
}

/** Pages through a run's failed and errored items; choosing one shows its full context. */
async function browseFailures(
  store: Store,
  ui: Prompter,
  run: RunRecord,
  errorsOnly: boolean,
): Promise<void> {
  const short = run.id.slice(0, 8);
  scriptable(ui, `assay results --run ${short} ${errorsOnly ? '--errors' : '--failed'}`);
  const items = await store.listResults({
    runId: run.id,
    status: errorsOnly ? ['error'] : ['failed', 'error'],
  });
  if (items.length === 0) {
    ui.print(errorsOnly ? 'no errored items' : 'nothing failed in this run');
    return;
  }
  let page = 0;
  for (;;) {
    const slice = items.slice(page * PAGE, (page + 1) * PAGE);
    const choices: Array<Choice<string>> = slice.map((result, index) => ({
      value: String(page * PAGE + index),
      label: itemLabel(result),
    }));
    if ((page + 1) * PAGE < items.length) choices.push({ value: 'next', label: 'next page →' });
    if (page > 0) choices.push({ value: 'previous', label: '← previous page' });
    choices.push({ value: 'back', label: 'back' });
    const picked = await ui.select(
      `${items.length} item${items.length === 1 ? '' : 's'} (page ${page + 1} of ${Math.ceil(items.length / PAGE)})`,
      choices,
    );
    if (picked === null || picked === 'back') return;
    if (picked === 'next') page++;
    else if (picked === 'previous') page--;
    else {
      const result = items[Number(picked)]!;
      ui.print(renderItem(result, false));
      scriptable(ui, `assay show ${short} ${result.taskId} --target ${result.targetName}`);
    }
  }
}

type RunAction = 'summary' | 'failures' | 'errors' | 'compare' | 'retry' | 'runs' | 'quit';

/**
 * The explore loop: pick a run, then act on it until the user quits. Esc (or Ctrl-C) goes back one
 * level: from a run's menu to the list of runs, and from that list out of explore.
 */
export async function explore(store: Store, ui: Prompter, actions: ExploreActions): Promise<void> {
  let run = await pickRun(store, ui, 'Pick a run');
  while (run) {
    const stats = await store.runStats(run.id);
    const short = run.id.slice(0, 8);
    const action = await ui.select<RunAction>(`Run ${short} (${run.status}, ${stats.results} results)`, [
      { value: 'summary', label: 'summary', hint: 'pass rates with 95% intervals, cost, flaky tasks' },
      {
        value: 'failures',
        label: `failures (${stats.failed + stats.errored})`,
        hint: 'page through, open one',
      },
      { value: 'errors', label: `errors (${stats.errored})` },
      { value: 'compare', label: 'compare with another run' },
      { value: 'retry', label: 're-run errored items', hint: `${stats.errored} errored` },
      { value: 'runs', label: 'pick another run' },
      { value: 'quit', label: 'quit' },
    ]);
    if (action === 'quit') return;
    if (action === null || action === 'runs') {
      run = await pickRun(store, ui, 'Pick a run');
      continue;
    }
    if (action === 'summary') {
      const summary = summarizeRun(await store.listResults({ runId: run.id }));
      ui.print(renderSummaryTable(summary, { color: false }));
      const insights = renderInsights(summary, { color: false });
      if (insights) ui.print(insights);
      scriptable(ui, `assay results --run ${short}`);
    } else if (action === 'failures' || action === 'errors') {
      await browseFailures(store, ui, run, action === 'errors');
    } else if (action === 'compare') {
      const other = await pickRun(
        store,
        ui,
        `Compare ${short} (B) with which earlier run (A)?`,
        run.startedAt,
      );
      if (other) {
        scriptable(ui, `assay compare ${other.id.slice(0, 8)} ${short}`);
        await actions.compare(other.id, run.id);
      }
    } else if (action === 'retry') {
      if (stats.errored === 0) ui.print('no errored items to re-run');
      else if (await ui.confirm(`Re-run ${stats.errored} errored item(s) of run ${short}?`)) {
        scriptable(ui, `assay retry ${short}`);
        await actions.retryErrors(run.id);
        run = (await store.getRun(run.id)) ?? run;
      }
    }
  }
}

/** The @clack/prompts terminal UI. */
async function clackPrompter(): Promise<Prompter> {
  const clack = await import('@clack/prompts');
  return {
    async select(message, choices) {
      // Values are opaque strings to clack; its option type cannot follow the generic through.
      const answer = await clack.select<string>({
        message,
        options: choices.map((choice) => ({
          value: choice.value as string,
          label: choice.label,
          ...(choice.hint ? { hint: choice.hint } : {}),
        })),
        maxItems: 14,
      });
      return clack.isCancel(answer) ? null : (answer as (typeof choices)[number]['value']);
    },
    async confirm(message) {
      const answer = await clack.confirm({ message });
      return !clack.isCancel(answer) && answer === true;
    },
    print(text) {
      process.stdout.write(`${text}\n`);
    },
  };
}

export async function exploreCommand(flags: ProjectFlags): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(
      'assay explore needs an interactive terminal',
      'explore',
      'use the plain commands instead: assay runs, assay results --failed, assay show <run> <task>, assay compare <a> <b>, assay retry <run>',
    );
  }
  const ui = await clackPrompter();
  await withStore(flags, async (store) => {
    await explore(store, ui, {
      async compare(runA, runB) {
        const { compareCommand } = await import('./compare.js');
        return compareCommand(runA, runB, { ...flags });
      },
      async retryErrors(runId) {
        const { retryCommand } = await import('./retry.js');
        return retryCommand(runId, { ...flags, progress: 'lines' });
      },
    });
  });
  return EXIT.ok;
}
