import type { ItemResult, RunRecord } from '../../types.js';

/** Everything an export renderer reads. Renderers are pure: the same input gives the same text. */
export interface ExportInput {
  run: RunRecord;
  results: ItemResult[];
  /** When the export was made (ms since the epoch); passed in so renderers stay deterministic. */
  generatedAt: number;
}

/** Turns an export input into the text of one file. */
export type ExportRenderer = (input: ExportInput) => string;
