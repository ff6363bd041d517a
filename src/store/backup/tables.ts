/** What a backup holds: every table but the transient ones, parents before children. */
import { type Kysely, sql } from 'kysely';
import { sqliteMigrations } from '../migrations/sqlite/index.js';
import type { Database } from '../schema.js';

export interface BackupTable {
  name: keyof Database & string;
  /** The primary key: backups read tables in key order, page by page. */
  key: readonly string[];
}

/** Leases are left out: they belong to processes of the database backed up, not to its data. */
export const BACKUP_TABLES: readonly BackupTable[] = [
  { name: 'task_versions', key: ['task_id', 'version'] },
  { name: 'prompt_versions', key: ['name', 'version'] },
  { name: 'target_versions', key: ['name', 'version'] },
  { name: 'runs', key: ['id'] },
  { name: 'results', key: ['run_id', 'item_id'] },
  { name: 'scores', key: ['run_id', 'item_id', 'ordinal'] },
  { name: 'task_archive', key: ['task_id'] },
  { name: 'cache_entries', key: ['key'] },
  { name: 'audit_log', key: ['id'] },
];

/** Tables whose rows a restore adds to what the target has, never replaces: the audit log is append-only. */
export const APPEND_ONLY_TABLES: ReadonlySet<string> = new Set(['audit_log']);

/** The newest schema version this Assay knows (the same number in every dialect). */
export const NEWEST_SCHEMA_VERSION = sqliteMigrations.at(-1)!.version;

/** The highest migration applied to a database (0 for a database Assay never migrated). */
export async function schemaVersion(db: Kysely<Database>): Promise<number> {
  const tables = await db.introspection.getTables();
  if (!tables.some((table) => table.name === 'schema_migrations')) return 0;
  const row = await sql<{
    version: number | null;
  }>`select max(version) as version from schema_migrations`.execute(db);
  return Number(row.rows[0]?.version ?? 0);
}

/** Column names of each table, as the database has them now. */
export async function tableColumns(db: Kysely<Database>): Promise<Map<string, string[]>> {
  const tables = await db.introspection.getTables();
  return new Map(tables.map((table) => [table.name, table.columns.map((column) => column.name)]));
}

/** Pages of a table's rows in primary-key order (keyset paging: each page starts after the last key read). */
export async function* readTable(
  db: Kysely<Database>,
  table: BackupTable,
  pageSize = 2_000,
): AsyncGenerator<Array<Record<string, unknown>>> {
  const keys = table.key.map((column) => sql.ref(column));
  let after: unknown[] | undefined;
  for (;;) {
    const condition = after ? sql`where (${sql.join(keys)}) > (${sql.join(after)})` : sql``;
    const page = await sql<
      Record<string, unknown>
    >`select * from ${sql.table(table.name)} ${condition} order by ${sql.join(keys)} limit ${pageSize}`.execute(
      db,
    );
    if (page.rows.length === 0) return;
    yield page.rows;
    const last = page.rows.at(-1)!;
    after = table.key.map((column) => last[column]);
    if (page.rows.length < pageSize) return;
  }
}
