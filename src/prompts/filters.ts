import { access } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { importUserModule } from '../util/import-module.js';

/** A Nunjucks filter: the piped value first, then the filter's arguments. */
export type TemplateFilter = (value: unknown, ...args: unknown[]) => unknown;

/**
 * Filters every prompt has. `load` parses JSON text into a value (`{{ (context | load).city }}`), as
 * promptfoo's built-in filter of that name does; a value that is not text passes through.
 */
export const BUILTIN_FILTERS: Readonly<Record<string, TemplateFilter>> = {
  load(value) {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch (error) {
      const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
      throw new Error(`load: ${shown} is not JSON (${(error as Error).message})`, { cause: error });
    }
  },
};

/**
 * Loads custom Nunjucks filters from a user module (`templates.filters` in assay.yaml): every
 * exported function is a filter named after its export (a default export object works too).
 */
export async function loadTemplateFilters(
  file: string,
  baseDir: string,
  where: string,
): Promise<Record<string, TemplateFilter>> {
  const full = path.resolve(baseDir, file);
  try {
    await access(full);
  } catch {
    throw new UserError(
      `template filters module not found: ${file}`,
      where,
      'check the path (relative to assay.yaml)',
    );
  }
  const module = (await importUserModule(full, `template filters ${file}`, where)) as Record<string, unknown>;
  const exported =
    module.default && typeof module.default === 'object'
      ? { ...(module.default as object), ...module }
      : module;
  const filters: Record<string, TemplateFilter> = {};
  for (const [name, value] of Object.entries(exported)) {
    if (name === 'default') continue;
    if (typeof value === 'function') filters[name] = value as TemplateFilter;
  }
  if (Object.keys(filters).length === 0) {
    throw new UserError(
      `template filters module ${file} exports no functions`,
      where,
      'export each filter as a named function, e.g. export function shout(text) { return String(text).toUpperCase() }',
    );
  }
  return filters;
}
