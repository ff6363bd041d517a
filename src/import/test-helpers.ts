import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadProject, type Project } from '../config/load.js';
import { UserError } from '../errors.js';
import { writePlan } from './output.js';
import { planImport } from './plan.js';
import type { ImportPlan } from './types.js';

export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/import/', import.meta.url));

const directories: string[] = [];

/** A fresh temporary directory, removed by `cleanupDirectories`. */
export async function tempDirectory(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'assay-import-'));
  directories.push(dir);
  return dir;
}

export async function cleanupDirectories(): Promise<void> {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Imports a fixture into a temp directory and loads the result with Assay's own project loader. */
export async function importFixture(
  format: string,
  fixture: string,
): Promise<{ dir: string; plan: ImportPlan; project: Project; read(file: string): Promise<string> }> {
  const dir = await tempDirectory();
  // No provider keys, so promptfoo's default grader is the same on every machine.
  const plan = await planImport(format, path.join(FIXTURES, fixture), { env: {} });
  await writePlan(plan, dir, false);
  const project = await loadProject({ cwd: dir, env: {} });
  return { dir, plan, project, read: (file) => readFile(path.join(dir, file), 'utf8') };
}

/** The UserError a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

/**
 * A promptfoo config with a YAML syntax error on line 8 (an unclosed flow mapping), written to a
 * temp directory: kept out of the fixtures so the formatter does not trip over it.
 */
export async function writeBrokenConfig(): Promise<string> {
  const file = path.join(await tempDirectory(), 'promptfooconfig.yaml');
  await writeFile(
    file,
    [
      'description: Broken on purpose (an unclosed flow mapping)',
      'prompts:',
      "  - 'Answer briefly: {{question}}'",
      'providers:',
      '  - openai:gpt-4o-mini',
      'tests:',
      '  - vars: { question: What is 2 + 2?',
      '    assert:',
      '      - type: equals',
      "        value: '4'",
      '',
    ].join('\n'),
  );
  return file;
}
