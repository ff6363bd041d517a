import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import type { ExportRenderer } from './input.js';
import { renderJson } from './json.js';
import { renderJsonl } from './jsonl.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

/** Every export format, by the name given to `--format`. */
export const EXPORT_RENDERERS = {
  json: renderJson,
  jsonl: renderJsonl,
  csv: renderCsv,
  junit: renderJunit,
  markdown: renderMarkdown,
  html: renderHtml,
} as const satisfies Record<string, ExportRenderer>;

export type ExportFormat = keyof typeof EXPORT_RENDERERS;

export const EXPORT_FORMATS = Object.keys(EXPORT_RENDERERS) as ExportFormat[];

export function isExportFormat(name: string): name is ExportFormat {
  return Object.hasOwn(EXPORT_RENDERERS, name);
}
