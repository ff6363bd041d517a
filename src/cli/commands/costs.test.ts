import { describe, expect, it } from 'vitest';
import type { CostRow } from '../../store/store.js';
import { costLines, JUDGES_KEY, renderCostTable } from './costs.js';

const ROWS: CostRow[] = [
  { key: 'openai:gpt-4o', costUsd: 0.02, judgeCostUsd: 0.0048, savedUsd: 0, calls: 30, cachedCalls: 6 },
  {
    key: 'openai:gpt-4o-mini',
    costUsd: 0.001,
    judgeCostUsd: 0.002,
    savedUsd: 0.0005,
    calls: 30,
    cachedCalls: 0,
  },
];

describe('assay costs', () => {
  it('moves judge spend by model into a (judges) row without call counts it does not have', () => {
    const lines = costLines(ROWS, 'model');
    expect(lines.map((line) => [line.key, line.judgeCostUsd, line.calls])).toEqual([
      ['openai:gpt-4o', 0, 30],
      ['openai:gpt-4o-mini', 0, 30],
      [JUDGES_KEY, expect.closeTo(0.0068, 10), null],
    ]);
    expect(lines.at(-1)!.cachedCalls).toBeNull();
    // Other breakdowns keep judge spend on its own row.
    expect(costLines(ROWS, 'task')).toEqual(ROWS);
    expect(costLines([{ ...ROWS[0]!, judgeCostUsd: 0 }], 'provider').map((line) => line.key)).toEqual([
      'openai:gpt-4o',
    ]);
  });

  it('shows "-" for the judges’ calls and says why, never "0 calls"', () => {
    const lines = costLines(ROWS, 'model');
    const text = renderCostTable(
      lines,
      { key: 'total', costUsd: 0.021, judgeCostUsd: 0.0068, savedUsd: 0.0005, calls: 60, cachedCalls: 6 },
      'model',
    );
    const judges = text.split('\n').find((line) => line.startsWith(JUDGES_KEY))!;
    expect(judges).toMatch(/^\(judges\)\s+-\s+-\s+\$0\s+\$0\.0068\s+\$0\.0068\s+\$0$/);
    expect(text).toMatch(/^total\s+60\s+10%\s/m);
    expect(text).toMatch(
      /^\(judges\): model-graded scorers' calls, moved out of the rows of the models they judged/m,
    );
    expect(renderCostTable(costLines(ROWS, 'task'), lines[0]!, 'task')).not.toContain(JUDGES_KEY);
  });
});
