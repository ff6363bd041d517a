import { compareRuns } from '../../compare/compare.js';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { toCompareJson } from '../../report/compare-json.js';
import { renderComparisonMarkdown } from '../../report/compare-markdown.js';
import { renderComparisonText } from '../../report/compare-terminal.js';
import { requireRun } from '../../runs/find.js';
import { type ProjectFlags, printJson, withReadOnlyStore } from './project-store.js';

export interface CompareFlags extends ProjectFlags {
  metric?: string;
  json?: boolean;
  markdown?: boolean;
  seed?: string;
  targetA?: string;
  targetB?: string;
}

/**
 * `assay compare <runA> <runB>`: B against A, target by target, on aligned work items. Exit 0
 * whatever the verdicts (gating is `assay ci`'s job); 2 for unknown runs, targets or metrics.
 */
export async function compareCommand(runA: string, runB: string, flags: CompareFlags): Promise<number> {
  if (flags.json && flags.markdown) {
    throw new UserError('--json and --markdown cannot be combined', '--markdown', 'pick one output format');
  }
  if (flags.seed !== undefined && flags.seed.trim() === '') {
    throw new UserError('--seed must not be empty', '--seed', 'e.g. --seed 7');
  }
  return withReadOnlyStore(flags, async (store) => {
    const a = await requireRun(store, runA, '<runA>');
    const b = await requireRun(store, runB, '<runB>');
    const [resultsA, resultsB] = await Promise.all([
      store.listResults({ runId: a.id }),
      store.listResults({ runId: b.id }),
    ]);
    const comparison = compareRuns({
      runA: a,
      runB: b,
      resultsA,
      resultsB,
      ...(flags.metric !== undefined ? { metric: flags.metric } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.targetA !== undefined ? { targetA: flags.targetA } : {}),
      ...(flags.targetB !== undefined ? { targetB: flags.targetB } : {}),
    });
    if (flags.json) printJson(toCompareJson(comparison));
    else if (flags.markdown) process.stdout.write(`${renderComparisonMarkdown(comparison)}\n`);
    else {
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      process.stdout.write(`${renderComparisonText(comparison, { color })}\n`);
    }
    return EXIT.ok;
  });
}
