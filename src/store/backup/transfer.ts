/** Backup, restore and copy of a whole store, streamed table by table (no table sits in memory). */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import { UserError } from '../../errors.js';
import { ensureParentFolder } from '../../util/output-files.js';
import { VERSION } from '../../version.js';
import { insertAudit } from '../audit.js';
import { chunkRows } from '../chunks.js';
import type { Database } from '../schema.js';
import type { SqlStore } from '../sql-store.js';
import {
  type ArchiveHeader,
  ArchiveLines,
  type ArchiveManifest,
  archiveError,
  readArchive,
} from './archive.js';
import {
  APPEND_ONLY_TABLES,
  BACKUP_TABLES,
  NEWEST_SCHEMA_VERSION,
  readTable,
  schemaVersion,
  tableColumns,
} from './tables.js';

/** Rows per table in a transfer report. */
export type RowCounts = Record<string, number>;

/** Runs `action` on one consistent snapshot of the store (a read transaction). */
function inSnapshot<T>(store: SqlStore, action: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const transaction = store.db.transaction();
  return (
    store.dialect === 'postgres' ? transaction.setIsolationLevel('repeatable read') : transaction
  ).execute(action);
}

/**
 * Writes the store to `file` as a portable archive. The archive is written beside the target as a
 * temporary file and renamed into place only when complete, so a failure (a full disk) leaves nothing
 * half-written.
 */
export async function backupStore(store: SqlStore, file: string): Promise<ArchiveManifest> {
  await ensureParentFolder(file, '-o');
  const partial = `${file}.${randomBytes(4).toString('hex')}.partial`;
  let manifest: ArchiveManifest | undefined;
  try {
    await inSnapshot(store, async (db) => {
      const lines = new ArchiveLines({
        assay: 'backup',
        format: 1,
        schemaVersion: await schemaVersion(db),
        dialect: store.dialect,
        createdAt: Date.now(),
        assayVersion: VERSION,
      });
      const columns = await tableColumns(db);
      async function* generate(): AsyncGenerator<string> {
        yield lines.start();
        for (const table of BACKUP_TABLES) {
          const names = columns.get(table.name);
          if (!names) continue;
          yield lines.table(table.name, names);
          for await (const page of readTable(db, table)) {
            let chunk = '';
            for (const row of page) chunk += lines.row(names.map((name) => row[name] ?? null));
            yield chunk;
          }
          yield lines.endTable();
        }
        const end = lines.manifest();
        manifest = end.manifest;
        yield end.line;
      }
      await pipeline(generate(), createGzip(), createWriteStream(partial, { flags: 'wx' }));
    });
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    const code = (error as { code?: string }).code;
    if (
      code === 'ENOSPC' ||
      code === 'EDQUOT' ||
      code === 'EACCES' ||
      code === 'EROFS' ||
      code === 'EISDIR'
    ) {
      throw new UserError(
        `cannot write the backup: ${(error as Error).message}`,
        file,
        code === 'ENOSPC' || code === 'EDQUOT'
          ? 'free some space, or write it elsewhere with -o'
          : 'pick a writable path with -o',
        { cause: error },
      );
    }
    throw error;
  }
  return manifest!;
}

/** Tables with rows in the store (a restore or copy refuses a non-empty target without --force). */
async function tablesWithRows(db: Kysely<Database>): Promise<string[]> {
  const found: string[] = [];
  for (const table of BACKUP_TABLES) {
    if (APPEND_ONLY_TABLES.has(table.name)) continue;
    const row = await db
      .selectFrom(table.name)
      .select((eb) => eb.lit(1).as('one'))
      .limit(1)
      .executeTakeFirst();
    if (row) found.push(table.name);
  }
  return found;
}

async function prepareTarget(db: Kysely<Database>, force: boolean, where: string): Promise<void> {
  const filled = await tablesWithRows(db);
  if (filled.length === 0) return;
  if (!force) {
    throw new UserError(
      `the target store is not empty (it has rows in ${filled.join(', ')})`,
      where,
      'restore into an empty store, or add --force to replace everything in it',
    );
  }
  await db.deleteFrom('run_leases').execute();
  for (const table of [...BACKUP_TABLES].reverse()) {
    // The target's audit log stays: no command deletes audit rows.
    if (!APPEND_ONLY_TABLES.has(table.name)) await db.deleteFrom(table.name).execute();
  }
}

/** Inserts rows given as value arrays in `columns` order, in multi-row statements. */
async function insertRows(
  db: Kysely<Database>,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  maxParameters: number,
): Promise<void> {
  const objects = rows.map((row) =>
    Object.fromEntries(columns.map((name, index) => [name, row[index] ?? null])),
  );
  for (const chunk of chunkRows(objects, maxParameters)) {
    // biome-ignore lint/suspicious/noExplicitAny: a table named at run time
    const insert = (db as Kysely<any>).insertInto(table).values(chunk);
    // An audit entry the target already has (restored before) is kept once.
    await (APPEND_ONLY_TABLES.has(table)
      ? insert.onConflict((conflict) => conflict.doNothing())
      : insert
    ).execute();
  }
}

/**
 * Restores an archive into `target`: checks every checksum first (nothing is written from a damaged
 * archive), refuses a non-empty target unless `force`, then writes everything in one transaction. An
 * archive of an older schema version is read into the newest one (columns added since take their
 * defaults); one from a newer Assay is refused.
 */
export async function restoreArchive(
  file: string,
  target: SqlStore,
  options: { force?: boolean; where?: string; actor?: string } = {},
): Promise<RowCounts> {
  const checkHeader = (header: ArchiveHeader) => {
    if (header.schemaVersion > NEWEST_SCHEMA_VERSION) {
      throw archiveError(
        file,
        `this backup has schema version ${header.schemaVersion}, but this Assay only knows versions up to ${NEWEST_SCHEMA_VERSION}`,
        'restore it with a newer Assay (upgrade it first)',
      );
    }
  };
  const known = new Set<string>(BACKUP_TABLES.map((table) => table.name));
  // Pass 1: the whole archive is sound, before anything is written.
  await readArchive(file, checkHeader, async (section) => {
    if (!known.has(section.table)) {
      throw archiveError(
        file,
        `the backup has an unknown table "${section.table}"`,
        'give a file written by `assay db backup`',
      );
    }
  });
  // Pass 2: the same reading, now writing (and checking again, in case the file changed meanwhile).
  const columns = await tableColumns(target.db);
  const counts: RowCounts = {};
  await target.db.transaction().execute(async (trx) => {
    await prepareTarget(trx, options.force ?? false, options.where ?? '--to');
    await readArchive(file, checkHeader, async (section) => {
      const present = new Set(columns.get(section.table) ?? []);
      const missing = section.columns.filter((name) => !present.has(name));
      if (missing.length > 0) {
        throw archiveError(
          file,
          `the backup's table ${section.table} has columns this schema lacks: ${missing.join(', ')}`,
          'restore it with the Assay version that wrote it, or a newer one',
        );
      }
      counts[section.table] = 0;
      for await (const page of section.rows) {
        await insertRows(trx, section.table, section.columns, page, target.maxParameters);
        counts[section.table]! += page.length;
      }
    });
    await insertAudit(trx, {
      at: Date.now(),
      actor: options.actor ?? 'unknown',
      action: 'db.restore',
      subject: null,
      details: { from: path.basename(file), force: options.force ?? false, ...counts },
    });
  });
  return counts;
}

/**
 * Copies every table of `source` into `target` (a backup piped into a restore, without a file): one
 * snapshot of the source, one transaction on the target, so a failure writes nothing.
 */
export async function copyStore(
  source: SqlStore,
  target: SqlStore,
  options: { force?: boolean; actor?: string; from?: string } = {},
): Promise<RowCounts> {
  const counts: RowCounts = {};
  await inSnapshot(source, async (from) => {
    const version = await schemaVersion(from);
    if (version !== NEWEST_SCHEMA_VERSION) {
      throw new UserError(
        `the source store is at schema version ${version}, not ${NEWEST_SCHEMA_VERSION}`,
        '--from',
        'open it with this Assay once (e.g. `assay db migrate --db <from>`) so it is migrated, then copy',
      );
    }
    const columns = await tableColumns(from);
    await target.db.transaction().execute(async (to) => {
      await prepareTarget(to, options.force ?? false, '--to');
      for (const table of BACKUP_TABLES) {
        const names = columns.get(table.name) ?? [];
        counts[table.name] = 0;
        for await (const page of readTable(from, table)) {
          const rows = page.map((row) => names.map((name) => row[name] ?? null));
          await insertRows(to, table.name, names, rows, target.maxParameters);
          counts[table.name]! += rows.length;
        }
      }
      await insertAudit(to, {
        at: Date.now(),
        actor: options.actor ?? 'unknown',
        action: 'db.restore',
        subject: null,
        details: { from: options.from ?? source.dialect, force: options.force ?? false, ...counts },
      });
    });
  });
  return counts;
}

/** Size of a file in bytes (for reports). */
export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}
