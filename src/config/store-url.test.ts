import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { describeStore, parseStoreUrl, redactCredentials } from './store-url.js';

describe('parseStoreUrl', () => {
  it('reads file paths and sqlite: URLs as SQLite, resolved against the base directory', () => {
    expect(parseStoreUrl('data/a.db', { baseDir: '/srv/evals' })).toEqual({
      dialect: 'sqlite',
      path: '/srv/evals/data/a.db',
    });
    expect(parseStoreUrl('/abs/a.db')).toEqual({ dialect: 'sqlite', path: '/abs/a.db' });
    expect(parseStoreUrl('sqlite:rel.db', { baseDir: '/x' })).toEqual({
      dialect: 'sqlite',
      path: '/x/rel.db',
    });
    expect(parseStoreUrl('sqlite:///abs/b.db')).toEqual({ dialect: 'sqlite', path: '/abs/b.db' });
    expect(parseStoreUrl(':memory:')).toEqual({ dialect: 'sqlite', path: ':memory:' });
    expect(parseStoreUrl('C:\\evals\\a.db', { baseDir: '/x' }).dialect).toBe('sqlite');
  });

  it('reads postgres:// and postgresql:// URLs as PostgreSQL, kept as given', () => {
    for (const url of [
      'postgres://assay@db.internal:5432/evals',
      'postgresql://u:p@localhost/x?sslmode=require',
    ]) {
      expect(parseStoreUrl(url)).toEqual({ dialect: 'postgres', url });
    }
  });

  it('refuses an unknown scheme, naming it, the accepted forms and where it came from, without the password', () => {
    let caught: unknown;
    try {
      parseStoreUrl('mysql://root:hunter2@db/evals', { where: 'ASSAY_DATABASE_URL' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    const error = caught as UserError;
    expect(error.message).toBe('unknown database URL scheme "mysql:" in mysql://root:***@db/evals');
    expect(error.location).toBe('ASSAY_DATABASE_URL');
    expect(error.hint).toMatch(/file path or sqlite:<path>.*postgres:\/\//);
    expect(`${error.message}${error.hint}`).not.toContain('hunter2');
  });

  it('refuses an empty value and an unparsable PostgreSQL URL', () => {
    expect(() => parseStoreUrl('  ', { where: '--db' })).toThrow('the database URL is empty');
    expect(() => parseStoreUrl('postgres://u:secret@[bad/x')).toThrow(
      'the PostgreSQL URL postgres://u:***@[bad/x cannot be parsed',
    );
    expect(() => parseStoreUrl('sqlite:')).toThrow('names no file');
  });
});

describe('redactCredentials', () => {
  it('hides passwords in URLs and password parameters, and leaves the rest', () => {
    expect(redactCredentials('connect to postgres://ana:s3cr%40t@db:5432/evals failed')).toBe(
      'connect to postgres://ana:***@db:5432/evals failed',
    );
    expect(redactCredentials('postgresql://db/evals?user=ana&password=s3cret&sslmode=require')).toBe(
      'postgresql://db/evals?user=ana&password=***&sslmode=require',
    );
    expect(redactCredentials('postgres://ana@db/evals')).toBe('postgres://ana@db/evals');
    expect(redactCredentials('/home/ana/a.db')).toBe('/home/ana/a.db');
  });

  it('describes a store by its path or redacted URL', () => {
    expect(describeStore({ dialect: 'sqlite', path: path.join('/x', 'a.db') })).toBe('/x/a.db');
    expect(describeStore({ dialect: 'postgres', url: 'postgres://a:b@h/d' })).toBe('postgres://a:***@h/d');
  });
});
