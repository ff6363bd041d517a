import type { ItemResult } from '../../types.js';
import { type JsonResult, toJsonResult } from '../json.js';
import type { ExportInput } from './input.js';

/** One line of the JSONL export: the `--json` result shape plus the run id. */
export interface JsonlRecord extends JsonResult {
  runId: string;
}

/** One JSON object per result, one per line; fields are picked one by one so nothing else leaks. */
export function renderJsonl(input: ExportInput): string {
  let text = '';
  for (const result of input.results) text += `${JSON.stringify(toJsonlRecord(result))}\n`;
  return text;
}

export function toJsonlRecord(result: ItemResult): JsonlRecord {
  return { runId: result.runId, ...toJsonResult(result) };
}
