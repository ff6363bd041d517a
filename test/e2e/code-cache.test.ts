import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeProject, ROOT, runCli } from './helpers.js';

// bin/assay.js runs the bundle (dist/bundle/main.cjs, built by `npm test`) through V8's code cache:
// one file per build, Node version and command.

const PROVIDER = `export default {
  async call(request) {
    const text = request.messages.at(-1).content;
    return { output: text.toUpperCase(), usage: { inputTokens: 1, outputTokens: 1 } };
  },
};
`;

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'assay-code-cache-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('the code cache of the bundled CLI', () => {
  it('runs a strict-mode bundle, as the ES modules it is made of are', async () => {
    const bundle = await readFile(path.join(ROOT, 'dist', 'bundle', 'main.cjs'), 'utf8');
    expect(bundle.startsWith("'use strict';")).toBe(true);
  });

  it('is written by a command’s first start, used (not rewritten) by the next, and rewritten when corrupt', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml':
        'prompts: [prompts/q.njk]\ntargets: ["file:./shout.mjs"]\ntasks:\n  - { vars: { q: hello }, expected: HELLO }\n',
      'prompts/q.njk': '{{ q }}',
      'shout.mjs': PROVIDER,
    });
    const env = { ASSAY_CODE_CACHE_DIR: cacheDir, ASSAY_DB: path.join(dir, 'a.db') };
    try {
      const first = await runCli(['run', '--no-cache', '--progress', 'none', '--json'], { cwd: dir, env });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const files = (await readdir(cacheDir)).filter((name) => name.endsWith('-run.bin'));
      expect(files).toHaveLength(1);
      const file = path.join(cacheDir, files[0]!);
      expect(files[0]).toMatch(new RegExp(`^[0-9a-f]{16}-\\d+-\\d+-${process.version}-run\\.bin$`));
      const written = await stat(file);
      expect(written.size).toBeGreaterThan(10_000);

      // From the cache: the same answer, a user module still imports, and the cache is left alone.
      const second = await runCli(['run', '--no-cache', '--progress', 'none', '--json'], { cwd: dir, env });
      expect(second.stderr).toBe('');
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout).results[0].output).toBe('HELLO');
      expect((await stat(file)).mtimeMs).toBe(written.mtimeMs);

      // A damaged cache is ignored and written again; the command works all the same. Damage in
      // the middle of the code (V8 checks only the header, and crashes on bad code) and damage
      // everywhere are both caught.
      const intact = await readFile(file);
      const damaged = Buffer.from(intact);
      for (let index = damaged.length >> 1; index < (damaged.length >> 1) + 200; index++)
        damaged[index] ^= 0xff;
      for (const bad of [damaged, Buffer.alloc(written.size, 7)]) {
        await writeFile(file, bad);
        const again = await runCli(['run', '--no-cache', '--progress', 'none', '--json'], { cwd: dir, env });
        expect(again.stderr).toBe('');
        expect(again.code).toBe(0);
        expect(JSON.parse(again.stdout).results[0].output).toBe('HELLO');
        expect((await readFile(file)).equals(bad)).toBe(false);
      }

      // Each command has its own cache; ASSAY_CODE_CACHE=0 writes none.
      await runCli(['tasks', 'list'], { cwd: dir, env });
      expect((await readdir(cacheDir)).some((name) => name.endsWith('-tasks.bin'))).toBe(true);
      await runCli(['prompts', 'list'], { cwd: dir, env: { ...env, ASSAY_CODE_CACHE: '0' } });
      expect((await readdir(cacheDir)).some((name) => name.endsWith('-prompts.bin'))).toBe(false);
    } finally {
      await cleanup();
    }
  });
});

describe('bin/assay.js before a build', () => {
  it('says in one line to run the build, with no stack trace', async () => {
    const checkout = await mkdtemp(path.join(os.tmpdir(), 'assay-unbuilt-'));
    try {
      await mkdir(path.join(checkout, 'bin'));
      await copyFile(CLI, path.join(checkout, 'bin', 'assay.js'));
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [path.join(checkout, 'bin', 'assay.js'), 'run'], (error, stdout, stderr) =>
          resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
        );
      });
      expect(result.code).toBe(70);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `assay: not built yet: run \`npm run build\` in ${checkout} (after \`npm install\`)\n`,
      );
    } finally {
      await rm(checkout, { recursive: true, force: true });
    }
  });
});
