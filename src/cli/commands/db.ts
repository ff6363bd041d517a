import { describeStore, parseStoreUrl } from '../../config/store-url.js';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { backupStore, copyStore, fileSize, restoreArchive } from '../../store/backup/transfer.js';
import { type OpenedStore, openStore } from '../../store/open.js';
import { schemaStatus } from '../../store/schema-status.js';
import {
  currentActor,
  openBrowsingStore,
  type ProjectFlags,
  printJson,
  usingStore,
} from './project-store.js';

async function withOpened<T>(
  opening: Promise<OpenedStore>,
  action: (opened: OpenedStore) => Promise<T>,
): Promise<T> {
  return usingStore(await opening, action);
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([table, rows]) => `  ${table.padEnd(16)} ${rows}`)
    .join('\n');
}

export async function dbStatusCommand(flags: ProjectFlags & { json?: boolean }): Promise<number> {
  return withOpened(openBrowsingStore(flags, { migrate: false, readOnly: true }), async ({ store }) => {
    const status = await schemaStatus(store);
    if (flags.json) {
      printJson(status);
      return EXIT.ok;
    }
    const lines = [
      `${status.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} store at schema version ${status.version} (this Assay knows up to ${status.newest})`,
      ...status.applied.map((entry) => `  applied  ${entry.version} ${entry.name}`),
      ...status.pending.map((entry) => `  pending  ${entry.version} ${entry.name}`),
    ];
    if (status.pending.length > 0) lines.push('run `assay db migrate` (any command also migrates it)');
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}

export async function dbMigrateCommand(flags: ProjectFlags): Promise<number> {
  return withOpened(openBrowsingStore(flags, { migrate: false }), async ({ store }) => {
    const applied = await store.migrate();
    const { version } = await schemaStatus(store);
    process.stdout.write(
      applied.length === 0
        ? `already at schema version ${version}: nothing to migrate\n`
        : `applied migration${applied.length === 1 ? '' : 's'} ${applied.join(', ')}: now at schema version ${version}\n`,
    );
    return EXIT.ok;
  });
}

export async function dbBackupCommand(flags: ProjectFlags & { output?: string }): Promise<number> {
  if (!flags.output)
    throw new UserError('say where to write the backup', '-o', 'e.g. -o backups/2026-12-08.assay');
  const output = flags.output;
  return withOpened(openBrowsingStore(flags, { readOnly: true }), async ({ store }) => {
    const manifest = await backupStore(store, output);
    const rows = Object.fromEntries(
      Object.entries(manifest.tables).map(([table, entry]) => [table, entry.rows]),
    );
    process.stdout.write(
      `wrote ${output} (${await fileSize(output)} bytes, schema version ${manifest.schemaVersion})\n${formatCounts(rows)}\n`,
    );
    return EXIT.ok;
  });
}

export async function dbRestoreCommand(
  file: string,
  flags: ProjectFlags & { to?: string; force?: boolean },
): Promise<number> {
  const opening = flags.to ? openStore(flags.to, { where: '--to' }) : openBrowsingStore(flags);
  return withOpened(opening, async ({ store }) => {
    const counts = await restoreArchive(file, store, {
      force: flags.force ?? false,
      actor: await currentActor(),
    });
    process.stdout.write(`restored ${file}\n${formatCounts(counts)}\n`);
    return EXIT.ok;
  });
}

export async function dbCopyCommand(
  flags: ProjectFlags & { from?: string; to?: string; force?: boolean },
): Promise<number> {
  if (!flags.to)
    throw new UserError('say where to copy the store to', '--to', 'e.g. --to postgres://assay@db/evals');
  const to = flags.to;
  if (flags.from) {
    const from = describeStore(parseStoreUrl(flags.from, { where: '--from' }));
    if (from === describeStore(parseStoreUrl(to, { where: '--to' }))) {
      throw new UserError(
        `--from and --to name the same store (${from})`,
        '--to',
        'copy into another database',
      );
    }
  }
  const source = flags.from ? openStore(flags.from, { where: '--from' }) : openBrowsingStore(flags);
  return withOpened(source, async ({ store: from }) =>
    withOpened(openStore(to, { where: '--to' }), async ({ store: target }) => {
      const counts = await copyStore(from, target, {
        force: flags.force ?? false,
        actor: await currentActor(),
        from: flags.from ? describeStore(parseStoreUrl(flags.from)) : from.dialect,
      });
      process.stdout.write(`copied to ${describeStore(parseStoreUrl(to))}\n${formatCounts(counts)}\n`);
      return EXIT.ok;
    }),
  );
}
