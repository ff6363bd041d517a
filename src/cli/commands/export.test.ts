import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { fixtureResults } from '../../report/export/test-fixtures.js';
import { childrenNamed, parseXml } from '../../report/export/test-xml.js';
import { makeRun } from '../../report/test-helpers.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { exportCommand } from './export.js';

const directory = mkdtempSync(path.join(tmpdir(), 'assay-export-'));
const db = path.join(directory, 'assay.db');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

beforeAll(async () => {
  const store = await SqliteStore.open(db);
  try {
    await store.createRun(makeRun({ id: 'run-old', startedAt: Date.UTC(2025, 0, 1) }));
    await store.saveResults(fixtureResults().map((result) => ({ ...result, runId: 'run-old' })));
    await store.createRun(makeRun({ id: 'run-new', startedAt: Date.UTC(2025, 0, 2) }));
    await store.saveResults(
      fixtureResults()
        .slice(0, 3)
        .map((result) => ({ ...result, runId: 'run-new' })),
    );
  } finally {
    await store.close();
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the command, capturing what it writes to stdout and stderr. */
async function exportRun(run: string, flags: Parameters<typeof exportCommand>[1]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await exportCommand(run, { db, ...flags });
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('assay export', () => {
  it('writes each format to stdout', async () => {
    const json = await exportRun('run-old', { format: 'json' });
    expect(json.code).toBe(EXIT.ok);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ run: { id: 'run-old' }, summary: { total: 12 } });

    const jsonl = await exportRun('run-old', { format: 'jsonl' });
    expect(
      jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).runId),
    ).toEqual(Array(12).fill('run-old'));

    const csv = await exportRun('run-old', { format: 'csv' });
    expect(parse(csv.stdout, { columns: true })).toHaveLength(12);

    const junit = await exportRun('run-old', { format: 'junit' });
    const suites = childrenNamed(parseXml(junit.stdout), 'testsuite');
    expect(suites.map((suite) => suite.attributes.name).sort()).toEqual(['claude', 'gpt']);

    const markdown = await exportRun('run-old', { format: 'markdown' });
    expect(markdown.stdout.split('\n')[0]).toBe('## ❌ Assay: 3 failed, 1 errored (of 12)');

    const html = await exportRun('run-old', { format: 'html' });
    expect(html.stdout.startsWith('<!doctype html>')).toBe(true);
    expect(html.stdout).toContain('Assay run run-old');
  });

  it('resolves latest to the newest run', async () => {
    const { stdout } = await exportRun('latest', { format: 'jsonl' });
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).runId),
    ).toEqual(Array(3).fill('run-new'));
  });

  it('writes to -o, creating parent directories, and says so on stderr', async () => {
    const file = path.join(directory, 'reports', 'ci', 'junit.xml');
    const { code, stdout, stderr } = await exportRun('run-old', { format: 'junit', output: file });
    expect(code).toBe(EXIT.ok);
    expect(stdout).toBe('');
    expect(stderr).toBe(`wrote ${file} (12 results)\n`);
    expect(parseXml(readFileSync(file, 'utf8')).attributes).toMatchObject({ tests: '10' });
  });

  it('refuses an unknown or missing format, listing the formats', async () => {
    const bad = exportRun('run-old', { format: 'pdf' });
    await expect(bad).rejects.toBeInstanceOf(UserError);
    await expect(bad).rejects.toThrow(
      'unknown export format "pdf"; expected one of json, jsonl, csv, junit, markdown, html',
    );
    await expect(exportRun('run-old', {})).rejects.toThrow('no export format given');
  });

  it('refuses an unknown run', async () => {
    const missing = exportRun('nope', { format: 'json' });
    await expect(missing).rejects.toBeInstanceOf(UserError);
    await expect(missing).rejects.toThrow('no run "nope"');
  });
});
