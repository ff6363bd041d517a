import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('withStatementCache', () => {
  let sqlite: BetterSqlite3.Database;
  beforeEach(() => {
    sqlite = new BetterSqlite3(':memory:');
  });
  afterEach(() => {
    if (sqlite.open) sqlite.close();
  });

  it('prepares each SQL text once and evicts the least recently used', () => {
    const prepare = vi.spyOn(sqlite, 'prepare');
    const cached = withStatementCache(sqlite, 2);
    const one = cached.prepare('SELECT 1');
    cached.prepare('SELECT 2');
    expect(cached.prepare('SELECT 1')).toBe(one);
    cached.prepare('SELECT 3'); // evicts SELECT 2, the least recently used
    expect(cached.prepare('SELECT 1')).toBe(one);
    cached.prepare('SELECT 2');
    expect(prepare.mock.calls.map(([text]) => text)).toEqual([
      'SELECT 1',
      'SELECT 2',
      'SELECT 3',
      'SELECT 2',
    ]);
  });

  it('closes the database', () => {
    withStatementCache(sqlite).close();
    expect(sqlite.open).toBe(false);
  });
});
