/** Importing other tools' configs and datasets as Assay files. Named re-exports only. */

export { writePlan } from './output.js';
export { planImport } from './plan.js';
export { formatImport, type ImportReport, importReport, shownDirectory } from './report.js';
export {
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportOptions,
  type ImportPlan,
  type PlannedFile,
  type SkippedItem,
} from './types.js';
