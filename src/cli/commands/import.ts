import path from 'node:path';
import { EXIT } from '../../exit-codes.js';
import { formatImport, importReport, planImport, shownDirectory, writePlan } from '../../import/index.js';

/**
 * `assay import <format> <file>`: converts a promptfoo config or a dataset into Assay files in
 * `--out` (default: the current directory). Skipped items are listed; they do not fail the import.
 * Files a promptfoo config refers to outside its folder are refused unless `--allow-outside`.
 */
export async function importCommand(
  format: string,
  file: string,
  flags: { out?: string; force?: boolean; json?: boolean; allowOutside?: boolean },
): Promise<number> {
  const plan = await planImport(format, file, { allowOutside: flags.allowOutside === true });
  const outDir = path.resolve(flags.out ?? '.');
  await writePlan(plan, outDir, flags.force === true);
  const report = importReport(plan, shownDirectory(outDir));
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatImport(report));
  return EXIT.ok;
}
