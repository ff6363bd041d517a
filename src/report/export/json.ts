import { toJsonReport } from '../json.js';
import { summarizeRun } from '../summary.js';
import type { ExportInput } from './input.js';

/** The `--json` report of `assay run` / `assay results`, with every result, indented for reading. */
export function renderJson(input: ExportInput): string {
  const { run, results } = input;
  return `${JSON.stringify(toJsonReport(run, summarizeRun(results), results), null, 2)}\n`;
}
