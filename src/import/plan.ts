import { UserError } from '../errors.js';
import { nearestName } from '../util/suggest.js';
import { planCsv } from './csv.js';
import { planInspect } from './inspect.js';
import { planOpenAiEvals } from './openai-evals.js';
import { planPromptfoo } from './promptfoo/config.js';
import {
  IMPORT_FORMATS,
  type Importer,
  type ImportFormat,
  type ImportOptions,
  type ImportPlan,
} from './types.js';

const IMPORTERS: Record<ImportFormat, Importer> = {
  promptfoo: planPromptfoo,
  'openai-evals': planOpenAiEvals,
  inspect: planInspect,
  csv: planCsv,
};

function isFormat(format: string): format is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(format);
}

/** Reads `file` as `format` and plans the Assay files to write; nothing is written yet. */
export function planImport(format: string, file: string, options: ImportOptions = {}): Promise<ImportPlan> {
  if (!isFormat(format)) {
    const nearest = nearestName(format, IMPORT_FORMATS);
    throw new UserError(
      `unknown import format "${format}"${nearest ? `; did you mean "${nearest}"?` : ''}`,
      undefined,
      `formats: ${IMPORT_FORMATS.join(', ')}`,
    );
  }
  return IMPORTERS[format](file, options);
}
