import { sql } from 'kysely';
import { schemaVersion } from './backup/tables.js';
import { postgresMigrations } from './migrations/postgres/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import type { Migration } from './migrator.js';
import type { SqlStore } from './sql-store.js';

export interface SchemaStatus {
  dialect: 'sqlite' | 'postgres';
  /** The highest version applied (0: never migrated). */
  version: number;
  /** The newest version this Assay knows. */
  newest: number;
  applied: Array<{ version: number; name: string; appliedAt: number }>;
  pending: Array<{ version: number; name: string }>;
}

function migrationsOf(store: SqlStore): readonly Migration[] {
  return store.dialect === 'sqlite' ? sqliteMigrations : postgresMigrations;
}

/** Which migrations a store has and which it lacks (read without changing anything). */
export async function schemaStatus(store: SqlStore): Promise<SchemaStatus> {
  const migrations = migrationsOf(store);
  const version = await schemaVersion(store.db);
  const applied =
    version === 0
      ? []
      : (
          await sql<{
            version: number;
            name: string;
            applied_at: number;
          }>`select version, name, applied_at from schema_migrations order by version`.execute(store.db)
        ).rows.map((row) => ({
          version: Number(row.version),
          name: row.name,
          appliedAt: Number(row.applied_at),
        }));
  const done = new Set(applied.map((entry) => entry.version));
  return {
    dialect: store.dialect,
    version,
    newest: migrations.at(-1)?.version ?? 0,
    applied,
    pending: migrations
      .filter((migration) => !done.has(migration.version))
      .map(({ version: number, name }) => ({ version: number, name })),
  };
}
