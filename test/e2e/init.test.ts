import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { makeProject, mockEnv, ROOT, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

async function version(): Promise<string> {
  return (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('assay init and package.json', () => {
  it('writes a package.json with Assay as a dev dependency and the eval scripts where there is none', async () => {
    const { dir, cleanup } = await makeProject({});
    try {
      const created = await runCli(['init', 'My Evals'], { cwd: dir });
      expect(created.code).toBe(0);
      const manifest = JSON.parse(await readFile(path.join(dir, 'My Evals', 'package.json'), 'utf8'));
      expect(manifest).toEqual({
        name: 'my-evals',
        private: true,
        description: expect.any(String),
        scripts: { eval: 'assay run', 'eval:ci': 'assay ci --suite critical --baseline latest-on-main' },
        devDependencies: { assay: `^${await version()}` },
        allowScripts: { 'better-sqlite3': true },
      });
      expect(created.stdout).toMatch(/^ {2}package\.json$/m);
      expect(created.stdout).toMatch(/^ {2}npm install /m);
    } finally {
      await cleanup();
    }
  });

  it('leaves an existing package.json alone and prints only what it lacks', async () => {
    const mine = '{\n    "name": "mine",\n    "scripts": { "eval": "something else" }\n}\n';
    const { dir, cleanup } = await makeProject({ 'package.json': mine });
    try {
      const created = await runCli(['init'], { cwd: dir });
      expect(created.code).toBe(0);
      await expect(readFile(path.join(dir, 'package.json'), 'utf8')).resolves.toBe(mine);
      expect(created.stdout).toMatch(/package\.json is kept as it is; add what Assay needs to it:/);
      expect(created.stdout).toContain(
        '"scripts": { "eval:ci": "assay ci --suite critical --baseline latest-on-main" }',
      );
      expect(created.stdout).not.toContain('"eval": "assay run"');
      expect(created.stdout).toContain(`"devDependencies": { "assay": "^${await version()}" }`);
      expect(created.stdout).toContain('"allowScripts": { "better-sqlite3": true }');
      expect(created.stdout).not.toMatch(/^ {2}package\.json$/m);

      // One that has everything gets no advice.
      const complete = JSON.stringify({
        scripts: { eval: 'x', 'eval:ci': 'y' },
        devDependencies: { assay: 'file:vendor/assay-0.1.0.tgz' },
        allowScripts: { 'better-sqlite3': true },
      });
      await writeFile(path.join(dir, 'package.json'), complete);
      const again = await runCli(['init', '--force'], { cwd: dir });
      expect(again.code).toBe(0);
      expect(again.stdout).not.toMatch(/add what Assay needs/);
      await expect(readFile(path.join(dir, 'package.json'), 'utf8')).resolves.toBe(complete);
    } finally {
      await cleanup();
    }
  });

  it('refuses a package.json that is not JSON before writing anything', async () => {
    const { dir, cleanup } = await makeProject({ 'package.json': '{ "name": ' });
    try {
      const result = await runCli(['init'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: package\.json: not valid JSON \(/);
      expect(result.stderr).toMatch(/fix: /);
      expect(await readdir(dir)).toEqual(['package.json']);
    } finally {
      await cleanup();
    }
  });

  it('--ci github writes workflows that install with or without a lock file, and the package.json they need', async () => {
    const { dir, cleanup } = await makeProject({
      'evals/assay.yaml': 'prompts: [p.njk]\ntargets: [echo]\ntasks: [{ vars: {} }]\n',
    });
    try {
      await mkdir(path.join(dir, '.git'));
      const result = await runCli(['init', 'evals', '--ci', 'github'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^added CI workflows and a package\.json:/);
      await expect(readFile(path.join(dir, 'evals', 'package.json'), 'utf8')).resolves.toContain(
        '"assay": "^',
      );
      for (const name of ['assay.yml', 'assay-nightly.yml', 'assay-manual.yml']) {
        const workflow = await readFile(path.join(dir, '.github', 'workflows', name), 'utf8');
        expect(workflow).toContain('working-directory: evals');
        expect(workflow).toContain('cache-dependency-path: evals/package*.json');
        expect(workflow).toContain(
          'run: if [ -f package-lock.json ]; then npm ci; else npm install --no-audit --no-fund; fi',
        );
        expect(workflow).not.toMatch(/^\s+- run: npm ci$/m);
      }
    } finally {
      await cleanup();
    }
  });
});

describe('the README tour', () => {
  it('runs, command by command, in the project assay init makes', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const tour = /## A 5-minute tour\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(tour).toBeDefined();
    const commands = tour!
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line.startsWith('npx assay '))
      .map((line) => line.slice('npx assay '.length).split(/\s+/));
    expect(commands.map((args) => args[0])).toEqual(
      expect.arrayContaining(['init', 'run', 'results', 'show', 'ci']),
    );
    const { dir, cleanup } = await makeProject({});
    const env = { ...mockEnv(mock.url, dir), NO_COLOR: '1' };
    try {
      for (const args of commands) {
        // The mock server runs here already; <runA> <runB> stand for ids the reader picks.
        if (args[0] === 'mock-server' || args.some((arg) => arg.startsWith('<'))) continue;
        const result = await runCli(args, { cwd: dir, env });
        expect({ args, code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
      }
    } finally {
      await cleanup();
    }
  });
});
