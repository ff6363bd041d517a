import path from 'node:path';
import { longestLength } from '../report/format.js';
import { displayPath } from './names.js';
import type { ImportPlan, SkippedItem } from './types.js';

/** The JSON printed by `assay import --json`. */
export interface ImportReport {
  format: string;
  source: string;
  out: string;
  files: Array<{ path: string; summary: string }>;
  /** Every file the import read, the source first (relative to the working directory when inside it). */
  read: string[];
  counts: ImportPlan['counts'];
  skipped: SkippedItem[];
  notes: string[];
}

export function importReport(plan: ImportPlan, outDir: string): ImportReport {
  return {
    format: plan.format,
    source: plan.source,
    out: outDir,
    files: plan.files.map((file) => ({ path: file.path, summary: file.summary })),
    read: plan.inputs.map(displayPath),
    counts: plan.counts,
    skipped: plan.skipped,
    notes: plan.notes,
  };
}

/** What was written, what was skipped and why, and what to do next. */
export function formatImport(report: ImportReport): string {
  const width = longestLength(report.files.map((file) => file.path));
  const lines = [
    `imported ${report.source} (${report.format}) into ${report.out}:`,
    ...report.files.map((file) => `  ${file.path.padEnd(width)}  ${file.summary}`),
    '',
    `read ${report.read.length} file${report.read.length === 1 ? '' : 's'}:`,
    ...report.read.map((file) => `  ${file}`),
  ];
  if (report.skipped.length > 0) {
    lines.push(
      '',
      `skipped ${report.skipped.length} item${report.skipped.length === 1 ? '' : 's'} (not imported):`,
    );
    for (const skip of report.skipped) lines.push(`  - ${skip.item} (${skip.where}): ${skip.reason}`);
  }
  if (report.notes.length > 0) {
    lines.push('', 'notes:');
    for (const note of report.notes) lines.push(`  - ${note}`);
  }
  lines.push('', 'next:');
  if (report.out !== '.')
    lines.push(`  cd ${report.out.includes(' ') ? JSON.stringify(report.out) : report.out}`);
  lines.push('  npx assay run', '');
  return lines.join('\n');
}

/** The output directory as shown: relative to the working directory when inside it. */
export function shownDirectory(outDir: string): string {
  const relative = path.relative(process.cwd(), outDir);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? outDir : relative;
}
