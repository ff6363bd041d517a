import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, waitFor } from './helpers.js';

// The package as a user gets it: `npm pack`, then installed from the tarball into an empty project
// and globally, far from this checkout, with install scripts on. better-sqlite3's install script
// (prebuild-install, else a node-gyp build from source: minutes on a busy 2-core machine) is handed
// the native module this checkout built, as a local prebuild, when the versions match; building from
// source is what `npm ci` does on every clean clone in .ci/run. Run by `npm run test:tarball` (and
// .ci/run), not by `npm test`.

const run = promisify(execFile);

/** npm's own variables from a parent `npm run` must not steer the installs made here. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.toLowerCase().startsWith('npm_')) env[name] = value;
  return {
    ...env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // Where prebuild-install looks for a local prebuild of better-sqlite3 (see the top).
    npm_config_better_sqlite3_local_prebuilds: path.join(work, 'prebuilds'),
  };
}

/** This checkout's better-sqlite3 module, packed as the prebuild prebuild-install looks for. */
async function makePrebuild(): Promise<void> {
  const sqlite = path.join(ROOT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(await readFile(path.join(sqlite, 'package.json'), 'utf8')) as {
    version: string;
  };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await mkdir(path.join(work, 'prebuilds'));
  await run('tar', [
    '-czf',
    path.join(work, 'prebuilds', name),
    '-C',
    sqlite,
    'build/Release/better_sqlite3.node',
  ]);
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an installed `assay` (a path to its bin), optionally as another user. */
function assay(
  bin: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; uid?: number },
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const TARGET_ENV = (mockUrl: string, apiKey = 'sk-tarball-test'): Record<string, string> => ({
  OPENAI_API_KEY: apiKey,
  OPENAI_BASE_URL: `${mockUrl}/v1`,
});

/** A judged task beside the ones init writes: the judge prompts ship in the package's judges/. */
const JUDGED_TASKS = `- id: judged
  vars: { question: "Reply with exactly: Paris is the capital of France" }
  assert:
    - { type: llm-rubric, value: 'names "Paris"' }
`;

let work: string;
let tarball: string;
let packedFiles: string[];
let mockServer: ChildProcess | undefined;
let mockUrl: string;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'bundle', 'main.cjs'))) {
    throw new Error('no build to pack: run `npm run build` first (`npm run test:tarball` does)');
  }
  work = await mkdtemp(path.join(os.tmpdir(), 'assay-tarball-'));
  await chmod(work, 0o755); // the global install is used by another user below
  await makePrebuild();
  // The build is there already: packing must not rebuild it (prepack would).
  const packed = JSON.parse(
    await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((file) => file.path);
}, 120_000);

afterAll(async () => {
  mockServer?.kill();
  if (work) {
    // A non-root run made the global package read-only; make it removable again.
    await run('chmod', ['-R', 'u+w', work]).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
});

describe('the packed tarball', () => {
  it('ships the CLI, its bundle, the docs, judges and templates it refers to, and no code cache', () => {
    for (const file of [
      'bin/assay.js',
      'dist/bundle/main.cjs',
      'dist/bundle/build.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/pricing/prices-snapshot.json',
      'judges/llm-rubric.njk',
      'templates/init/assay.yaml',
      'templates/ci/github/assay.yml',
      'docs/config.md',
      'docs/ci.md',
      'README.md',
      'LICENSE',
      'package.json',
    ])
      expect(packedFiles).toContain(file);
    expect(packedFiles.filter((file) => /code-cache|^src\/|^test\/|\.test\.js$/.test(file))).toEqual([]);
  });

  it('installs into an empty project, and init, mock-server, run, show, ci, export work', async () => {
    const project = path.join(work, 'project');
    await mkdir(project);
    await npm(['install', '-D', tarball, '--prefer-offline'], project);
    const bin = path.join(project, 'node_modules', '.bin', 'assay');
    const native = path.join(
      project,
      'node_modules',
      'better-sqlite3',
      'build',
      'Release',
      'better_sqlite3.node',
    );
    expect(existsSync(native)).toBe(true);
    const env = { HOME: project };

    const version = await assay(bin, ['--version'], { cwd: project, env });
    expect(version.stdout.trim()).toBe(
      (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );

    // npm wrote a package.json: init keeps it and says what to add.
    const init = await assay(bin, ['init'], { cwd: project, env });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/package\.json is kept as it is; add what Assay needs to it:/);
    expect(init.stdout).toContain('"eval": "assay run"');
    expect(init.stdout).not.toContain('"devDependencies"'); // npm put Assay there already

    // The mock server from the installed package, on a free port.
    mockServer = spawn(bin, ['mock-server', '--port', '0'], {
      cwd: project,
      env: { PATH: process.env.PATH ?? '', HOME: project },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let banner = '';
    mockServer.stdout!.on('data', (chunk) => {
      banner += chunk;
    });
    await waitFor(() => /listening on (http:\/\/\S+)/.test(banner), 20_000);
    mockUrl = /listening on (http:\/\/\S+)/.exec(banner)![1]!;

    await writeFile(path.join(project, 'tasks', 'judged.yaml'), JUDGED_TASKS);
    await appendFile(path.join(project, 'assay.yaml'), '\ngrader: openai:gpt-4o-mini\n');
    const target = { ...env, ...TARGET_ENV(mockUrl) };
    const first = await assay(bin, ['run', '--json', '--progress', 'none'], { cwd: project, env: target });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { summary: { total: number; passed: number } };
    expect(report.summary).toMatchObject({ total: 4, passed: 4 });

    for (const args of [
      ['results', '--run', 'latest'],
      ['show', 'latest', 'judged'],
      ['runs'],
      ['history'],
      ['costs'],
      ['tasks', 'list'],
      ['prompts', 'list'],
      ['providers', 'list'],
      ['schema'],
      ['export', 'latest', '--format', 'html', '-o', 'report.html'],
      ['ci', '--suite', 'critical', '--out-dir', 'ci-report'],
      ['--help'],
    ]) {
      const result = await assay(bin, args, { cwd: project, env: target });
      // Some commands report on stderr (`wrote report.html`); none may fail or print a stack.
      expect({ args, code: result.code }).toEqual({ args, code: 0 });
      expect(result.stderr).not.toMatch(/(^|\n)(assay: )?(internal )?error:|\n\s+at /);
    }
    expect(await readdir(path.join(project, 'ci-report'))).toEqual(
      expect.arrayContaining(['assay-report.md', 'assay-junit.xml', 'assay-report.json']),
    );

    // The library entry point resolves from the installed package too.
    await writeFile(
      path.join(project, 'library.mjs'),
      "import { defineConfig } from 'assay';\nconsole.log(typeof defineConfig);\n",
    );
    expect((await run(process.execPath, ['library.mjs'], { cwd: project })).stdout.trim()).toBe('function');
  }, 240_000);

  it('installs globally and runs from a package directory its user cannot write', async () => {
    expect(mockUrl).toBeDefined(); // started by the project install above
    const prefix = path.join(work, 'global');
    await npm(['install', '-g', '--prefix', prefix, tarball, '--prefer-offline'], work);
    const packageDir = path.join(prefix, 'lib', 'node_modules', 'assay');
    const bin = path.join(prefix, 'bin', 'assay');
    const before = await listTree(packageDir);

    // Root writes anywhere: run as `nobody` then; anyone else loses write access to the package.
    const asRoot = process.getuid?.() === 0;
    const uid = asRoot ? 65534 : undefined;
    const home = path.join(work, 'home');
    await mkdir(home);
    if (asRoot) await chown(home, 65534, 65534);
    else await run('chmod', ['-R', 'a-w', packageDir]);

    const env = { HOME: home, ...TARGET_ENV(mockUrl) };
    const init = await assay(bin, ['init', 'evals'], {
      cwd: home,
      env,
      ...(uid !== undefined ? { uid } : {}),
    });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(home, 'evals', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.eval).toBe('assay run');

    const project = path.join(home, 'evals');
    for (let start = 0; start < 2; start++) {
      const result = await assay(bin, ['run', '--json', '--progress', 'none'], {
        cwd: project,
        env,
        ...(uid !== undefined ? { uid } : {}),
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).summary).toMatchObject({ total: 3, passed: 3 });
    }
    // The code cache went to the user's cache directory; the package is as installed.
    const caches = await readdir(path.join(home, '.cache', 'assay', 'code-cache'));
    expect(caches.some((name) => name.endsWith('-run.bin'))).toBe(true);
    expect(await listTree(packageDir)).toEqual(before);
  }, 240_000);
});

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}
