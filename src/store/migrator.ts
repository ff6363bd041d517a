import { type Kysely, sql } from 'kysely';
import { UserError } from '../errors.js';

/** One numbered schema change. `sql` may hold several statements separated by `;`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The database was migrated by a newer Assay than this one; opening it could corrupt it. */
export class SchemaVersionError extends UserError {
  override name = 'SchemaVersionError';
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
    location?: string,
  ) {
    super(
      `The database is at schema version ${databaseVersion}, but this Assay only knows versions up to ${knownVersion}.`,
      location,
      'Upgrade Assay, or point it at another database.',
    );
  }
}

const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in version order, each in its own
 * transaction. Returns the versions it applied. Works on any Kysely dialect.
 */
export async function migrate(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator only touches its own table
  db: Kysely<any>,
  migrations: readonly Migration[],
  options: { location?: string; now?: () => number } = {},
): Promise<number[]> {
  checkMigrationList(migrations);
  const now = options.now ?? Date.now;
  await db.schema
    .createTable(MIGRATIONS_TABLE)
    .ifNotExists()
    .addColumn('version', 'integer', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('applied_at', 'bigint', (column) => column.notNull())
    .execute();

  const applied = await appliedVersions(db);
  const databaseVersion = checkKnown(applied, migrations, options.location);

  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    const ran = await applyOne(db, migration, now, databaseVersion === 0, options.location);
    if (ran) done.push(migration.version);
  }
  return done;
}

/**
 * The versions of `migrations` the database lacks, found without writing anything (a read-only
 * connection can ask). A database migrated by a newer Assay is a SchemaVersionError.
 */
export async function pendingMigrations(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator only touches its own table
  db: Kysely<any>,
  migrations: readonly Migration[],
  options: { location?: string } = {},
): Promise<number[]> {
  const tables = await db.introspection.getTables();
  const applied = tables.some((table) => table.name === MIGRATIONS_TABLE)
    ? await appliedVersions(db)
    : new Set<number>();
  checkKnown(applied, migrations, options.location);
  return migrations.filter((migration) => !applied.has(migration.version)).map(({ version }) => version);
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator only touches its own table
async function appliedVersions(db: Kysely<any>): Promise<Set<number>> {
  const recorded = await db.selectFrom(MIGRATIONS_TABLE).select('version').execute();
  return new Set(recorded.map((row) => Number(row.version)));
}

/** The database's schema version; a SchemaVersionError when it is newer than the known migrations. */
function checkKnown(applied: Set<number>, migrations: readonly Migration[], location?: string): number {
  const knownVersion = migrations.at(-1)?.version ?? 0;
  let databaseVersion = 0;
  for (const version of applied) databaseVersion = Math.max(databaseVersion, version);
  if (databaseVersion > knownVersion) throw new SchemaVersionError(databaseVersion, knownVersion, location);
  return databaseVersion;
}

/** Applies one migration in a transaction; false when another process applied it first. */
async function applyOne(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator only touches its own table
  db: Kysely<any>,
  migration: Migration,
  now: () => number,
  /** A database Assay never migrated: a clash there means another program's database. */
  fresh: boolean,
  location: string | undefined,
): Promise<boolean> {
  try {
    return await db.transaction().execute(async (trx) => {
      // Claiming the version first takes the write lock before any schema change, so a second
      // process migrating at the same moment waits, then finds the row and skips.
      const claim = await trx
        .insertInto(MIGRATIONS_TABLE)
        .values({ version: migration.version, name: migration.name, applied_at: now() })
        .onConflict((conflict) => conflict.column('version').doNothing())
        .executeTakeFirst();
      if (Number(claim.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      for (const statement of splitStatements(migration.sql)) {
        await sql.raw(statement).execute(trx);
      }
      return true;
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (fresh && /already exists/i.test(message)) {
      throw new UserError(
        `this database belongs to another program: it already has tables Assay would create (${message})`,
        location,
        'point --db (or ASSAY_DATABASE_URL) at an Assay database, or at a new file or an empty database',
        { cause: error },
      );
    }
    throw error;
  }
}

function checkMigrationList(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new Error(
        `Migrations must have increasing positive integer versions; got \`${migration.version}\` (${migration.name}) after \`${previous}\`.`,
      );
    }
    previous = migration.version;
  }
}

/**
 * Splits a script on `;` outside quotes and comments, because drivers such as better-sqlite3 run
 * one statement per call. Bodies with inner `;` (triggers) are not supported.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let index = 0;
  while (index < script.length) {
    const char = script[index]!;
    const next = script[index + 1];
    if (char === '-' && next === '-') {
      const end = script.indexOf('\n', index);
      index = end === -1 ? script.length : end;
      continue;
    }
    if (char === '/' && next === '*') {
      const end = script.indexOf('*/', index + 2);
      index = end === -1 ? script.length : end + 2;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') {
      let end = index + 1;
      // A doubled quote is an escaped quote inside the literal.
      while (end < script.length && !(script[end] === char && script[end + 1] !== char)) {
        end += script[end] === char ? 2 : 1;
      }
      current += script.slice(index, end + 1);
      index = end + 1;
      continue;
    }
    if (char === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
    } else {
      current += char;
    }
    index += 1;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
