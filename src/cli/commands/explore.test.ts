import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureResults } from '../../report/export/test-fixtures.js';
import { makeRun } from '../../report/test-helpers.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { type Choice, explore, type Prompter } from './explore.js';

const directory = mkdtempSync(path.join(tmpdir(), 'assay-explore-'));
let store: SqliteStore;

beforeAll(async () => {
  store = await SqliteStore.open(path.join(directory, 'assay.db'));
  await store.createRun(
    makeRun({ id: 'run-old-0000', startedAt: Date.UTC(2025, 0, 1), status: 'completed' }),
  );
  await store.saveResults(fixtureResults().map((result) => ({ ...result, runId: 'run-old-0000' })));
  await store.createRun(
    makeRun({ id: 'run-new-1111', startedAt: Date.UTC(2025, 0, 2), status: 'completed' }),
  );
  await store.saveResults(fixtureResults().map((result) => ({ ...result, runId: 'run-new-1111' })));
});
afterAll(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

/**
 * A prompter that answers from a script. Each answer is a function of the offered choices, so
 * tests pick by label ("the first FAIL item") instead of by position.
 */
function scripted(answers: Array<(choices: Array<Choice<string>>) => string | null | boolean>) {
  const printed: string[] = [];
  const menus: string[] = [];
  const next = (choices: Array<Choice<string>>) => {
    const answer = answers.shift();
    if (!answer) throw new Error(`script ran out at menu: ${menus.at(-1)}`);
    return answer(choices);
  };
  const ui: Prompter = {
    async select<T extends string>(message: string, choices: Array<Choice<T>>) {
      menus.push(message);
      return next(choices) as T | null;
    },
    async confirm(message) {
      menus.push(message);
      return next([]) === true;
    },
    print(text) {
      printed.push(text);
    },
  };
  return { ui, printed, menus };
}

const byLabel = (pattern: RegExp) => (choices: Array<Choice<string>>) => {
  const choice = choices.find((candidate) => pattern.test(candidate.label));
  if (!choice) throw new Error(`no choice matches ${pattern}: ${choices.map((c) => c.label).join(' | ')}`);
  return choice.value;
};

describe('assay explore', () => {
  it('picks a run, shows its summary, pages to a failure and opens it, then quits', async () => {
    const calls: string[] = [];
    const { ui, printed, menus } = scripted([
      byLabel(/^run-new-/),
      byLabel(/^summary/),
      byLabel(/^failures/),
      byLabel(/^FAIL /),
      byLabel(/^back/),
      byLabel(/^quit/),
    ]);
    await explore(store, ui, {
      compare: async (a, b) => {
        calls.push(`compare ${a} ${b}`);
        return 0;
      },
      retryErrors: async (id) => {
        calls.push(`retry ${id}`);
        return 0;
      },
    });
    expect(menus[0]).toBe('Pick a run');
    expect(menus[1]).toMatch(/^Run run-new- \(completed, 12 results\)/);
    const text = printed.join('\n');
    expect(text).toMatch(/pass rate/); // the summary table
    expect(text).toMatch(/same as: assay results --run run-new- --failed/);
    expect(text).toMatch(/^FAIL /m); // the opened item in full
    expect(text).toMatch(/same as: assay show run-new- \S+ --target /);
    expect(calls).toEqual([]);
  });

  it('compares with another run and re-runs errors through the injected actions', async () => {
    const calls: string[] = [];
    const { ui, printed } = scripted([
      byLabel(/^run-new-/),
      byLabel(/^compare/),
      byLabel(/^run-old-/),
      byLabel(/^re-run/),
      () => true,
      byLabel(/^quit/),
    ]);
    await explore(store, ui, {
      compare: async (a, b) => {
        calls.push(`compare ${a} ${b}`);
        return 0;
      },
      retryErrors: async (id) => {
        calls.push(`retry ${id}`);
        return 0;
      },
    });
    expect(calls).toEqual(['compare run-old-0000 run-new-1111', 'retry run-new-1111']);
    expect(printed.join('\n')).toMatch(/same as: assay compare run-old- run-new-/);
    expect(printed.join('\n')).toMatch(/same as: assay retry run-new-/);
  });

  it('Esc goes back one level: from a run to the list of runs, and from the list out of explore', async () => {
    const { ui, menus } = scripted([
      byLabel(/^run-new-/),
      () => null,
      byLabel(/^run-old-/),
      () => null,
      () => null,
    ]);
    await explore(store, ui, { compare: async () => 0, retryErrors: async () => 0 });
    expect(menus).toEqual([
      'Pick a run',
      expect.stringMatching(/^Run run-new- /),
      'Pick a run',
      expect.stringMatching(/^Run run-old- /),
      'Pick a run',
    ]);
  });

  it('offers only earlier runs to compare with', async () => {
    const offered: string[][] = [];
    const { ui, printed } = scripted([
      byLabel(/^run-new-/),
      byLabel(/^compare/),
      (choices) => {
        offered.push(choices.map((choice) => choice.value));
        return null;
      },
      byLabel(/^runs|^pick another/),
      byLabel(/^run-old-/),
      byLabel(/^compare/),
      byLabel(/^quit/),
    ]);
    await explore(store, ui, { compare: async () => 0, retryErrors: async () => 0 });
    expect(offered).toEqual([['run-old-0000']]);
    expect(printed).toContain('no earlier run to compare with');
  });
});
