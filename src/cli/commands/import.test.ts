import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { EXIT } from '../../exit-codes.js';
import {
  cleanupDirectories,
  FIXTURES,
  rejection,
  tempDirectory,
  writeBrokenConfig,
} from '../../import/test-helpers.js';
import { importCommand } from './import.js';

let stdout: MockInstance<typeof process.stdout.write>;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  stdout.mockRestore();
  await cleanupDirectories();
});

const printed = () => stdout.mock.calls.map(([chunk]) => String(chunk)).join('');
const PROMPTFOO = path.join(FIXTURES, 'promptfoo/promptfooconfig.yaml');

describe('assay import', () => {
  it('writes the files, prints them, lists what was skipped and why, and exits 0', async () => {
    const out = await tempDirectory();
    expect(await importCommand('promptfoo', PROMPTFOO, { out })).toBe(EXIT.ok);
    for (const file of [
      'assay.yaml',
      'prompts/support.njk',
      'prompts/triage.yaml',
      'tasks/promptfooconfig.yaml',
    ]) {
      expect((await stat(path.join(out, file))).isFile()).toBe(true);
    }
    const text = printed();
    expect(text).toContain(`into ${out}:\n`);
    expect(text).toMatch(/\n {2}tasks\/promptfooconfig\.yaml +11 tasks\n/);
    expect(text).toContain('\nskipped 13 items (not imported):\n');
    expect(text).toContain(
      `  - test "Shipping to Canada" assert[1] python (${path.join('test', 'fixtures', 'import', 'promptfoo', 'promptfooconfig.yaml')}:57:9): Python assertions cannot run in Assay`,
    );
    expect(text).toContain(
      '\nnotes:\n  - provider "vertex:gemini-1.5-flash-002": imported as google:gemini-1.5-flash-002',
    );
    expect(text).toMatch(/\nnext:\n {2}cd .+\n {2}npx assay run\n$/);
    const fixture = path.join('test', 'fixtures', 'import', 'promptfoo');
    expect(text).toContain(
      `\nread 5 files:\n${['promptfooconfig.yaml', 'prompts/support.txt', 'prompts/triage.json', 'tests/extra.csv', 'policy.md'].map((file) => `  ${path.join(fixture, file)}\n`).join('')}\n`,
    );
  });

  it('refuses files outside the promptfoo project unless --allow-outside, and lists what it read', async () => {
    const project = await tempDirectory();
    const secret = path.join(await tempDirectory(), 'token.txt');
    await writeFile(secret, 'sk-canary-token');
    const config = path.join(project, 'promptfooconfig.yaml');
    await writeFile(
      config,
      `prompts: ['Q: {{question}}']\nproviders: [echo]\ntests:\n  - vars: { question: file://${secret} }\n`,
    );
    const out = path.join(project, 'assay');
    const refused = await rejection(importCommand('promptfoo', config, { out }));
    expect(refused.message).toMatch(/token\.txt is outside the promptfoo project folder/);
    expect(refused.hint).toMatch(/--allow-outside/);
    await expect(stat(out)).rejects.toThrow();

    expect(await importCommand('promptfoo', config, { out, json: true, allowOutside: true })).toBe(EXIT.ok);
    const report = JSON.parse(printed());
    expect(report.read).toEqual([path.relative(process.cwd(), config), path.relative(process.cwd(), secret)]);
    expect(report.notes).toContain(`read ${secret}, outside the project folder (--allow-outside)`);
    expect(await readFile(path.join(out, 'tasks/promptfooconfig.yaml'), 'utf8')).toContain('sk-canary-token');
  });

  it('prints a JSON report with --json', async () => {
    const out = await tempDirectory();
    await importCommand('openai-evals', path.join(FIXTURES, 'openai-evals/unit-conversions.jsonl'), {
      out,
      json: true,
    });
    const report = JSON.parse(printed());
    expect(report).toMatchObject({
      format: 'openai-evals',
      source: path.join('test', 'fixtures', 'import', 'openai-evals', 'unit-conversions.jsonl'),
      counts: { prompts: 1, targets: 1, tasks: 4 },
      files: [
        { path: 'assay.yaml', summary: '1 prompt, 1 target, 1 task file' },
        { path: 'prompts/unit-conversions.yaml', summary: 'the sample messages' },
        { path: 'tasks/unit-conversions.jsonl', summary: '4 tasks' },
      ],
      skipped: [
        { item: 'sample 4', reason: 'tool calls and tool results in the conversation are not supported' },
      ],
    });
  });

  it('writes into the current directory by default', async () => {
    const out = await tempDirectory();
    const cwd = process.cwd();
    process.chdir(out);
    try {
      await importCommand('csv', path.join(FIXTURES, 'csv/translations.csv'), {});
    } finally {
      process.chdir(cwd);
    }
    expect(await readFile(path.join(out, 'tasks/translations.csv'), 'utf8')).toMatch(
      /^phrase,target_language,__id/,
    );
    expect(printed()).toContain(' into .:\n');
    expect(printed()).not.toContain('cd ');
  });

  it('never overwrites an existing file without --force, and names it', async () => {
    const out = await tempDirectory();
    await mkdir(path.join(out, 'prompts'));
    await writeFile(path.join(out, 'prompts/support.njk'), 'my own prompt');
    await writeFile(path.join(out, 'assay.yaml'), 'my own config');
    const error = await rejection(importCommand('promptfoo', PROMPTFOO, { out }));
    expect(error.message).toBe(
      `${path.relative(process.cwd(), path.join(out, 'assay.yaml'))} already exists (and ${path.relative(process.cwd(), path.join(out, 'prompts/support.njk'))})`,
    );
    expect(error.hint).toBe('pass --force to overwrite, or choose another --out directory');
    // Nothing was written.
    await expect(stat(path.join(out, 'tasks'))).rejects.toThrow();
    expect(await readFile(path.join(out, 'prompts/support.njk'), 'utf8')).toBe('my own prompt');

    expect(await importCommand('promptfoo', PROMPTFOO, { out, force: true })).toBe(EXIT.ok);
    expect(await readFile(path.join(out, 'prompts/support.njk'), 'utf8')).toContain('Acme Outfitters');
  });

  it('never overwrites the file it imports, even with --force', async () => {
    const dir = await tempDirectory();
    await mkdir(path.join(dir, 'tasks'));
    await writeFile(path.join(dir, 'tasks/faq.csv'), 'question,__expected\nOpen on Sundays?,No\n');
    const error = await rejection(
      importCommand('csv', path.join(dir, 'tasks/faq.csv'), { out: dir, force: true }),
    );
    expect(error.message).toMatch(/^the import would overwrite its own input .*faq\.csv$/);
    expect(await readFile(path.join(dir, 'tasks/faq.csv'), 'utf8')).toBe(
      'question,__expected\nOpen on Sundays?,No\n',
    );
  });

  it('rejects an unknown format, suggesting the nearest', async () => {
    const error = await rejection(importCommand('promptfu', PROMPTFOO, {}));
    expect(error.message).toBe('unknown import format "promptfu"; did you mean "promptfoo"?');
    expect(error.hint).toBe('formats: promptfoo, openai-evals, inspect, csv');
  });

  it('rejects malformed YAML with its line, and an unreadable file', async () => {
    const broken = await rejection(importCommand('promptfoo', await writeBrokenConfig(), {}));
    expect(broken.message).toMatch(/^invalid YAML: /);
    expect(broken.location).toMatch(/promptfooconfig\.yaml:8:5$/);
    const missing = await rejection(importCommand('promptfoo', path.join(FIXTURES, 'nope.yaml'), {}));
    expect(missing.message).toBe('cannot read promptfoo config: ENOENT');
    expect(stdout).not.toHaveBeenCalled();
  });
});
