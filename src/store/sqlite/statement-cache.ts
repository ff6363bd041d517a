import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * SQLite rolls a transaction back by itself on some errors (a full disk, an I/O error); Kysely then
 * sends `rollback`, which fails with "no transaction is active" and hides the error that says
 * what happened. With no transaction open, that rollback is this statement, which does nothing.
 */
const NOTHING_TO_ROLL_BACK: SqliteStatement = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  iterate: () => [][Symbol.iterator](),
};

/**
 * Wraps a better-sqlite3 database so `prepare` reuses statements. Kysely's SQLite driver prepares
 * every query anew, which costs more than running a hot query; keys are the SQL text.
 */
export function withStatementCache(db: BetterSqlite3.Database, capacity = 100): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close() {
      statements.clear();
      db.close();
    },
    prepare(sql) {
      if (sql === 'rollback' && !db.inTransaction) return NOTHING_TO_ROLL_BACK;
      let statement = statements.get(sql);
      if (statement) {
        // Re-inserting keeps the Map in least-recently-used order.
        statements.delete(sql);
      } else {
        statement = db.prepare(sql);
        if (statements.size >= capacity) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
