import { EXIT } from '../../exit-codes.js';
import { columnWidths } from '../../report/format.js';
import { parseDuration } from '../../util/duration.js';
import { formatDate, type ProjectFlags, printJson, withReadOnlyStore } from './project-store.js';

/** `assay audit --since 7d [--action x] [--json]`: who changed what, oldest first. */
export async function auditCommand(
  flags: ProjectFlags & { since: string; action?: string; json?: boolean },
): Promise<number> {
  const since = Date.now() - parseDuration(flags.since, '--since');
  return withReadOnlyStore(flags, async (store) => {
    const entries = await store.listAudit({ since, ...(flags.action ? { action: flags.action } : {}) });
    if (flags.json) {
      printJson(entries);
      return EXIT.ok;
    }
    if (entries.length === 0) {
      process.stdout.write(
        `no changes recorded since ${formatDate(since)}${flags.action ? ` for ${flags.action}` : ''}\n`,
      );
      return EXIT.ok;
    }
    const rows = entries.map((entry) => [
      formatDate(entry.at),
      entry.actor,
      entry.action,
      entry.subject ?? '-',
      Object.entries(entry.details)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' '),
    ]);
    const header = ['when (UTC)', 'who', 'action', 'subject', 'details'];
    const widths = columnWidths([header, ...rows]);
    const line = (cells: string[]) =>
      cells
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd();
    process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
    return EXIT.ok;
  });
}
