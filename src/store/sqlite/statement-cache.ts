import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

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
