import type { ItemResult, ScoreResult } from '../../types.js';
import { type JsonResult, toJsonResult } from '../json.js';
import type { ExportInput } from './input.js';

/** One line of the JSONL export: the `--json` result shape plus the run id and judge costs. */
export interface JsonlRecord extends Omit<JsonResult, 'scores'> {
  runId: string;
  scores: Array<{
    name: string;
    value: number;
    pass: boolean;
    reason: string;
    weight: number;
    metric: string | null;
    costUsd: number | null;
  }>;
  /** What judge calls cost on top of `costUsd`; null when no judge ran. */
  judgeCostUsd: number | null;
}

/** One JSON object per result, one per line; fields are picked one by one so nothing else leaks. */
export function renderJsonl(input: ExportInput): string {
  let text = '';
  for (const result of input.results) text += `${JSON.stringify(toJsonlRecord(result))}\n`;
  return text;
}

export function toJsonlRecord(result: ItemResult): JsonlRecord {
  return {
    runId: result.runId,
    ...toJsonResult(result),
    scores: result.scores.map(toJsonlScore),
    judgeCostUsd: result.judgeCostUsd ?? null,
  };
}

function toJsonlScore(score: ScoreResult): JsonlRecord['scores'][number] {
  return {
    name: score.name,
    value: score.value,
    pass: score.pass,
    reason: score.reason,
    weight: score.weight,
    metric: score.metric ?? null,
    costUsd: score.costUsd ?? null,
  };
}
