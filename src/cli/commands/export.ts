import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { EXPORT_FORMATS, EXPORT_RENDERERS, isExportFormat } from '../../report/export/formats.js';
import { plural } from '../../report/format.js';
import { requireRun } from '../../runs/find.js';
import { ensureParentFolder, writeOutputFile } from '../../util/output-files.js';
import { withReadOnlyStore } from './project-store.js';

export interface ExportFlags {
  format?: string;
  output?: string;
  config?: string;
  db?: string;
}

/** `assay export <run> --format <format> [-o file]`: one run's results as a file for CI or people. */
export async function exportCommand(runId: string, flags: ExportFlags): Promise<number> {
  const format = flags.format;
  if (format === undefined || !isExportFormat(format)) {
    throw new UserError(
      format === undefined
        ? 'no export format given'
        : `unknown export format "${format}"; expected one of ${EXPORT_FORMATS.join(', ')}`,
      '--format',
      `e.g. --format junit -o assay-junit.xml (formats: ${EXPORT_FORMATS.join(', ')})`,
    );
  }
  // Checked before the store is read: a path that cannot take the file fails at once.
  if (flags.output !== undefined) await ensureParentFolder(flags.output, '-o');
  const { text, count } = await withReadOnlyStore(flags, async (store) => {
    const run = await requireRun(store, runId, '<run>');
    const results = await store.listResults({ runId: run.id });
    return {
      text: EXPORT_RENDERERS[format]({ run, results, generatedAt: Date.now() }),
      count: results.length,
    };
  });
  if (flags.output === undefined) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  await writeOutputFile(flags.output, text, '-o');
  process.stderr.write(`wrote ${flags.output} (${plural(count, 'result')})\n`);
  return EXIT.ok;
}
