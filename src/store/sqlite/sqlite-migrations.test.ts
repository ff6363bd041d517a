import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Migration, migrate, SchemaVersionError, splitStatements } from '../migrator.js';

const first: Migration = {
  version: 1,
  name: 'people',
  sql: 'CREATE TABLE people (id INTEGER); CREATE INDEX people_id ON people (id);',
};
const second: Migration = { version: 2, name: 'pets', sql: "CREATE TABLE pets (name TEXT DEFAULT 'a;b');" };

describe('migrate (on SQLite)', () => {
  let sqlite: BetterSqlite3.Database;
  // biome-ignore lint/suspicious/noExplicitAny: schema-less test database
  let db: Kysely<any>;
  const tables = () =>
    sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
  const recorded = () =>
    sqlite.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();

  beforeEach(() => {
    sqlite = new BetterSqlite3(':memory:');
    db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
  });
  afterEach(() => db.destroy());

  it('applies pending migrations in order and records each', async () => {
    expect(await migrate(db, [first, second], { now: () => 42 })).toEqual([1, 2]);
    expect(tables()).toEqual(['people', 'pets', 'schema_migrations']);
    expect(recorded()).toEqual([
      { version: 1, name: 'people', applied_at: 42 },
      { version: 2, name: 'pets', applied_at: 42 },
    ]);
  });

  it('applies nothing the second time', async () => {
    await migrate(db, [first, second]);
    expect(await migrate(db, [first, second])).toEqual([]);
  });

  it('upgrades a database that has only the older migrations', async () => {
    await migrate(db, [first]);
    expect(await migrate(db, [first, second])).toEqual([2]);
    expect(tables()).toContain('pets');
  });

  it('rolls back a migration that fails half way, keeping the earlier ones', async () => {
    const broken: Migration = {
      version: 2,
      name: 'broken',
      sql: 'CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);',
    };
    await expect(migrate(db, [first, broken])).rejects.toThrow(/nowhere/);
    expect(tables()).not.toContain('half');
    expect(recorded()).toEqual([expect.objectContaining({ version: 1 })]);
  });

  it('refuses a database whose version is newer than the code knows', async () => {
    await migrate(db, [first, second]);
    const error = await migrate(db, [first], { location: 'test.db' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect(error).toMatchObject({ databaseVersion: 2, knownVersion: 1, location: 'test.db' });
  });

  it('rejects migrations that are not in increasing version order', async () => {
    await expect(migrate(db, [second, first])).rejects.toThrow('got `1` (people) after `2`');
  });
});

describe('splitStatements', () => {
  it('splits on semicolons outside quotes and comments', () => {
    const script = `
      -- a comment; with a semicolon
      CREATE TABLE a (x TEXT DEFAULT 'it''s; fine');
      /* block; comment */ CREATE TABLE "b;c" (y INTEGER);
      CREATE INDEX a_x ON a (x)`;
    expect(splitStatements(script)).toEqual([
      "CREATE TABLE a (x TEXT DEFAULT 'it''s; fine')",
      'CREATE TABLE "b;c" (y INTEGER)',
      'CREATE INDEX a_x ON a (x)',
    ]);
  });
});
