#!/usr/bin/env node
// Assay benchmark: measures the quality bars of DESIGN.md section 6 against baselines measured in the
// same run, and reports ratios (the figures of a noisy VM are only meaningful next to each other).
//
//   npm run bench                      # build, then every scenario
//   node bench/run.js --quick          # counts ÷10: a smoke run, not a measurement
//   node bench/run.js --only overhead  # one scenario: overhead | latency | cached | startup | ratelimited | two-lanes
//                                      # | learn-windows | learn-minute | learn-bucket | learn-anthropic
//                                      # | learn-no-headers | learn-bare | learn-gemini (rate limits Assay must learn)
//                                      # | storage | store-queries (PostgreSQL beside SQLite)
//
// Prints a table and writes the figures to bench/results/latest.json. Exits 0 even when a bar is
// missed (this is a report, not a test); exits 1 when a scenario could not be run correctly.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import {
  BenchError,
  bareLoop,
  expectedAnswer,
  expectedFailures,
  question,
  REQUEST_TIMEOUT_MS,
} from './workload.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'assay.js');
const BARE_LOOP = path.join(ROOT, 'bench', 'bare-loop.js');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SCENARIOS = [
  'overhead',
  'latency',
  'cached',
  'startup',
  'ratelimited',
  'two-lanes',
  'scaling',
  'learn-windows',
  'learn-minute',
  'learn-bucket',
  'learn-anthropic',
  'learn-no-headers',
  'learn-bare',
  'learn-gemini',
  'storage',
  'store-queries',
];
const CONCURRENCY = 50;

// Hard limits so nothing can run away.
const CHILD_TIMEOUT_MS = 10 * 60_000; // any one assay run
const SPAWN_TIMEOUT_MS = 30_000; // one startup sample / mock server start
const RSS_POLL_MS = 20;
const QUIET_WAIT_MS = 180_000; // longest wait for other programs to stop using the CPUs

// ---------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const args = { quick: false, full: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--full') args.full = true;
    else if (arg === '--only') {
      const name = argv[++i];
      if (!SCENARIOS.includes(name)) usage(`--only needs one of: ${SCENARIOS.join(', ')}`);
      args.only = name;
    } else if (arg.startsWith('--only=')) {
      const name = arg.slice('--only='.length);
      if (!SCENARIOS.includes(name)) usage(`--only needs one of: ${SCENARIOS.join(', ')}`);
      args.only = name;
    } else if (arg === '--help' || arg === '-h') usage(null);
    else usage(`unknown argument "${arg}"`);
  }
  return args;
}

function usage(error) {
  const text = `usage: node bench/run.js [--quick] [--full] [--only ${SCENARIOS.join('|')}]\n`;
  if (error) {
    process.stderr.write(`bench: ${error}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------
// Resource tracking: every child process and temp dir is released on exit, error or Ctrl-C.

const children = new Set();
const tempDirs = new Set();

function makeTempDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `assay-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

function removeTempDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function cleanupSync() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

process.on('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
    cleanupSync();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

const median = (values) => percentile(values, 50);

/** Nearest-rank percentile. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms) => `${ms.toFixed(0)} ms`;
const megabytes = (kb) => `${(kb / 1024).toFixed(0)} MB`;
const ratio = (value) => `${value.toFixed(2)}×`;

function tail(text, lines = 15) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// The mock LLM server, in its own process so it never shares a thread with what is measured.

/**
 * `rpm`: per-key requests per minute (`--rpm`); `journal`: keep the request journal (off by default);
 * `flags`: more mock-server flags (how the limit is kept and told).
 */
async function startMock(latencyMs, { rpm, journal = false, flags = [] } = {}) {
  const args = [BIN, 'mock-server', '--port', '0', '--host', '127.0.0.1', '--latency', String(latencyMs)];
  if (rpm !== undefined) args.push('--rpm', String(rpm));
  args.push(...flags);
  if (!journal) args.push('--no-journal');
  const child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new BenchError('mock server did not start within 30 s')),
      SPAWN_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      if (stdout.length < 8000) stdout += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new BenchError(`mock server exited early (${signal ?? code}):\n${tail(stderr)}`));
    });
  });
  return { url, child, close: () => stopChild(child) };
}

const DEFAULT_TARGETS = ['  - id: openai:gpt-4o-mini', '    config: { temperature: 0, max_tokens: 16 }'];

/** Writes an Assay project of `count` tasks into `dir` (`targets`: YAML lines); returns the config path. */
function writeProject(dir, count, targets = DEFAULT_TARGETS) {
  fs.mkdirSync(path.join(dir, 'prompts'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'prompts', 'q.njk'), '{{ question }}\n');
  const lines = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({ id: `t${i + 1}`, vars: { question: question(i).text }, expected: expectedAnswer(i) }),
    );
  }
  fs.writeFileSync(path.join(dir, 'tasks', 'gen.jsonl'), `${lines.join('\n')}\n`);
  const config = [
    '# generated by bench/run.js',
    'prompts: [prompts/q.njk]',
    'targets:',
    ...targets,
    'tasks: [tasks/gen.jsonl]',
    `defaults: { concurrency: ${CONCURRENCY} }`,
    '',
  ].join('\n');
  const configPath = path.join(dir, 'assay.yaml');
  fs.writeFileSync(configPath, config);
  return configPath;
}

// ---------------------------------------------------------------------------------------------------
// The bare loop as its own program, started cold: wall time from spawn to exit, as for Assay.

async function bareProcess(mockUrl, count, concurrency) {
  const args = [BARE_LOOP, mockUrl, String(count), String(concurrency)];
  return (await timeSpawn(args, CHILD_TIMEOUT_MS)).ms;
}

// ---------------------------------------------------------------------------------------------------
// Assay itself, as a child process: wall time from spawn to exit (startup included), peak RSS.

function readHighWaterMarkKb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null; // exited between polls
  }
}

/**
 * `extraArgs` are added to `assay run`; with `progress: 'lines'` every stderr line is kept with the
 * time it arrived (ms since spawn) in `lines`.
 */
let runCount = 0;

async function runAssay({
  configPath,
  mockUrl,
  dbPath,
  databaseUrl,
  cache,
  extraArgs = [],
  progress = 'none',
  json = true,
}) {
  const args = [
    BIN,
    'run',
    '--progress',
    progress,
    ...(json ? ['--json'] : []),
    '-c',
    configPath,
    ...extraArgs,
  ];
  if (!cache) args.splice(2, 0, '--no-cache');
  // A key of its own per run: the mock reports (and, with --rpm, enforces) limits per key, and runs
  // of one bench sharing a key would see the budget earlier runs spent.
  const key = `bench-key-${++runCount}`;
  const env = {
    ...process.env,
    ANTHROPIC_API_KEY: key,
    GEMINI_API_KEY: key,
    OPENAI_API_KEY: key,
    OPENAI_BASE_URL: `${mockUrl}/v1`,
    ASSAY_DB: dbPath,
    // A PostgreSQL store (the storage scenario) wins over ASSAY_DB.
    ...(databaseUrl ? { ASSAY_DATABASE_URL: databaseUrl } : {}),
    NO_COLOR: '1',
  };
  const start = performance.now();
  const child = track(
    spawn(process.execPath, args, { cwd: path.dirname(configPath), env, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let peakKb = 0;
  const poll = setInterval(() => {
    const value = readHighWaterMarkKb(child.pid);
    if (value !== null) peakKb = value; // VmHWM only grows: the last value read is the peak
  }, RSS_POLL_MS);
  const stdout = [];
  let stderr = '';
  const lines = [];
  let partial = '';
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
    if (progress !== 'lines') return;
    const atMs = performance.now() - start;
    const parts = (partial + chunk).split('\n');
    partial = parts.pop();
    for (const text of parts) lines.push({ atMs, text });
  });
  let wallMs = 0;
  const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  const { code, signal } = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => {
      wallMs = performance.now() - start;
    });
    child.once('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
  }).finally(() => {
    clearInterval(poll);
    clearTimeout(killer);
  });
  // 0: all passed, 1: some failed (expected: ~10% are wrong on purpose). Anything else is a broken run.
  if (code !== 0 && code !== 1) {
    throw new BenchError(`assay run exited with ${signal ?? code}:\n${tail(stderr)}`);
  }
  let report;
  try {
    if (json) report = JSON.parse(Buffer.concat(stdout).toString('utf8'));
  } catch (error) {
    throw new BenchError(`assay run --json printed no valid JSON (${error.message}):\n${tail(stderr)}`);
  }
  return { wallMs, peakKb, report, stderr, lines };
}

/** Fails loudly unless the run really stored `count` results with the expected pass/fail split. */
function checkReport(report, count, { cached }) {
  const summary = report?.summary;
  if (!summary) throw new BenchError('assay --json report has no summary');
  if (report.run?.status !== 'completed')
    throw new BenchError(`assay run status is ${report.run?.status}, not completed`);
  if (summary.total !== count)
    throw new BenchError(`assay run stored ${summary.total} results, expected ${count}`);
  if (summary.errors !== 0) {
    throw new BenchError(
      `assay run has ${summary.errors} errors: ${JSON.stringify(summary.errorsByCategory)}`,
    );
  }
  if (summary.failed !== expectedFailures(count)) {
    throw new BenchError(`assay run has ${summary.failed} failures, expected ${expectedFailures(count)}`);
  }
  if (Array.isArray(report.results) && report.results.length !== count) {
    throw new BenchError(`assay --json listed ${report.results.length} results, expected ${count}`);
  }
  if (cached === true && summary.cachedCount !== count) {
    throw new BenchError(`cached re-run served ${summary.cachedCount} of ${count} from the cache`);
  }
  if (cached === false && summary.cachedCount !== 0) {
    throw new BenchError(`uncached run reports ${summary.cachedCount} cache hits`);
  }
}

/** A small untimed run, so the first measured run does not also pay for a cold OS file cache. */
async function warmUpAssay(mockUrl, workDir) {
  const dir = path.join(workDir, 'warmup');
  const configPath = writeProject(dir, 200);
  const { report } = await runAssay({
    configPath,
    mockUrl,
    dbPath: path.join(dir, 'assay.db'),
    cache: false,
  });
  checkReport(report, 200, { cached: false });
}

// ---------------------------------------------------------------------------------------------------
// Scenarios. Each returns { rows, figures }; a row is one line of the table.

async function overhead({ scale }) {
  const count = 10_000 / scale;
  const work = makeTempDir('overhead');
  const mock = await startMock(0);
  try {
    const configPath = writeProject(path.join(work, 'project'), count);
    log(`overhead: ${count} calls, concurrency ${CONCURRENCY}, mock ${mock.url} (0 ms, separate process)`);
    await bareLoop(mock.url, count, CONCURRENCY); // warm-up: JIT of this process and of the mock
    const bare1 = await bareLoop(mock.url, count, CONCURRENCY);
    log(`  bare loop #1 ${seconds(bare1)}`);
    await warmUpAssay(mock.url, work);
    const assay = await runAssay({
      configPath,
      mockUrl: mock.url,
      dbPath: path.join(work, 'assay.db'),
      cache: false,
    });
    checkReport(assay.report, count, { cached: false });
    log(`  assay run    ${seconds(assay.wallMs)}, peak RSS ${megabytes(assay.peakKb)}`);
    const bare2 = await bareLoop(mock.url, count, CONCURRENCY);
    log(`  bare loop #2 ${seconds(bare2)}`);
    const cold = await bareProcess(mock.url, count, CONCURRENCY);
    log(`  bare loop as a program of its own (cold start, like assay) ${seconds(cold)}`);
    const bare = Math.min(bare1, bare2);
    const timeRatio = assay.wallMs / bare;
    const rssMb = assay.peakKb / 1024;
    return {
      figures: {
        count,
        concurrency: CONCURRENCY,
        bareMs: [bare1, bare2],
        bareBestMs: bare,
        bareProcessMs: cold,
        assayMs: assay.wallMs,
        ratio: timeRatio,
        ratioToBareProcess: assay.wallMs / cold,
        peakRssMb: rssMb,
        bars: { ratioToBareProcess: 1.5, peakRssMb: 200 },
      },
      rows: [
        // Issue 12's bar: against the bare loop run as a program of its own, started cold like assay.
        row(
          'overhead',
          'wall time',
          seconds(assay.wallMs),
          `bare process ${seconds(cold)}`,
          ratio(assay.wallMs / cold),
          '≤ 1.5×',
          assay.wallMs / cold <= 1.5,
        ),
        row(
          'overhead',
          '(warm loop)',
          seconds(assay.wallMs),
          `bare loop ${seconds(bare)}`,
          ratio(timeRatio),
          '—',
          null,
        ),
        row('overhead', 'peak RSS', megabytes(assay.peakKb), '—', '—', '≤ 200 MB', rssMb <= 200),
      ],
    };
  } finally {
    await mock.close();
    removeTempDir(work);
  }
}

async function latency({ scale }) {
  const count = 2_000 / scale;
  const latencyMs = 100;
  const idealMs = (count / CONCURRENCY) * latencyMs;
  const work = makeTempDir('latency');
  const mock = await startMock(latencyMs);
  try {
    const configPath = writeProject(path.join(work, 'project'), count);
    log(`latency: ${count} calls, concurrency ${CONCURRENCY}, mock ${mock.url} (${latencyMs} ms)`);
    await bareLoop(mock.url, Math.min(count, 200), CONCURRENCY); // warm-up
    const bare = await bareLoop(mock.url, count, CONCURRENCY);
    log(`  bare loop ${seconds(bare)}`);
    const cold = await bareProcess(mock.url, count, CONCURRENCY);
    log(`  bare loop as a program of its own (cold start, like assay) ${seconds(cold)}`);
    await warmUpAssay(mock.url, work);
    const assay = await runAssay({
      configPath,
      mockUrl: mock.url,
      dbPath: path.join(work, 'assay.db'),
      cache: false,
    });
    checkReport(assay.report, count, { cached: false });
    log(`  assay run ${seconds(assay.wallMs)}`);
    // Issue 12's bar: the bare loop run as a program of its own (started cold, like assay) + 0.3 s.
    const barMs = cold + 300;
    return {
      figures: {
        count,
        concurrency: CONCURRENCY,
        latencyMs,
        idealMs,
        bareMs: bare,
        bareProcessMs: cold,
        assayMs: assay.wallMs,
        ratioToIdeal: assay.wallMs / idealMs,
        ratioToBare: assay.wallMs / bare,
        barMs,
      },
      rows: [
        row(
          'latency',
          'wall time',
          seconds(assay.wallMs),
          `bare process ${seconds(cold)}`,
          `+${seconds(assay.wallMs - cold)}`,
          '≤ bare process + 0.3 s',
          assay.wallMs <= barMs,
        ),
        row(
          'latency',
          '(bare loop)',
          seconds(bare),
          `ideal ${seconds(idealMs)}`,
          ratio(bare / idealMs),
          '—',
          null,
        ),
        row(
          'latency',
          '(bare process)',
          seconds(cold),
          `ideal ${seconds(idealMs)}`,
          ratio(cold / idealMs),
          '—',
          null,
        ),
      ],
    };
  } finally {
    await mock.close();
    removeTempDir(work);
  }
}

async function cached({ scale }) {
  const count = 10_000 / scale;
  const barMs = 1500;
  const work = makeTempDir('cached');
  const mock = await startMock(0);
  try {
    const configPath = writeProject(path.join(work, 'project'), count);
    const dbPath = path.join(work, 'assay.db');
    log(`cached: ${count} cases, cache on; first run fills the cache, second run is measured`);
    const fill = await runAssay({ configPath, mockUrl: mock.url, dbPath, cache: true });
    checkReport(fill.report, count, { cached: false });
    log(`  fill run   ${seconds(fill.wallMs)}`);
    // Stop the mock: the measured run must not need it (any real call would error and be reported).
    await mock.close();
    const hit = await runAssay({ configPath, mockUrl: mock.url, dbPath, cache: true });
    checkReport(hit.report, count, { cached: true });
    log(`  cached run ${seconds(hit.wallMs)}, peak RSS ${megabytes(hit.peakKb)}`);
    return {
      figures: {
        count,
        fillMs: fill.wallMs,
        cachedMs: hit.wallMs,
        ratioToFill: hit.wallMs / fill.wallMs,
        cachedCount: hit.report.summary.cachedCount,
        peakRssMb: hit.peakKb / 1024,
        barMs,
      },
      rows: [
        row(
          'cached',
          'wall time',
          seconds(hit.wallMs),
          `fill run ${seconds(fill.wallMs)}`,
          ratio(hit.wallMs / fill.wallMs),
          `≤ ${seconds(barMs)}`,
          hit.wallMs <= barMs,
        ),
      ],
    };
  } finally {
    await mock.close();
    removeTempDir(work);
  }
}

/** Runs `node <args>` from the repository root: ms from spawn to exit, and its stdout. */
/**
 * Memory and time per item as runs grow: 1k, 10k, 50k and 200k cases (and 1M with --full), cache
 * on, mock at 0 ms without rate-limit headers, each beside the bare loop run as its own program.
 * Bars (issue 13): peak RSS of 50k ≤ 1.25× that of 10k; 1M ≤ 300 MB; time per item not growing.
 */
async function scaling({ scale, full }) {
  const sizes = (full ? [1_000, 10_000, 50_000, 200_000, 1_000_000] : [1_000, 10_000, 50_000, 200_000]).map(
    (size) => size / scale,
  );
  const work = makeTempDir('scaling');
  const mock = await startMock(0, { flags: ['--rate-headers', 'none'] });
  try {
    const measured = [];
    for (const count of sizes) {
      const dir = path.join(work, String(count));
      const configPath = writeProject(dir, count);
      const bareMs = await bareProcess(mock.url, count, CONCURRENCY);
      const dbPath = path.join(dir, 'assay.db');
      const assay = await runAssay({ configPath, mockUrl: mock.url, dbPath, cache: true, json: false });
      const stored = JSON.parse(
        execFileSync(process.execPath, [BIN, 'runs', '--json', '--db', dbPath], { encoding: 'utf8' }),
      )[0];
      if (stored?.status !== 'completed' || stored.results !== count) {
        throw new BenchError(
          `scaling ${count}: the run stored ${stored?.results} results (${stored?.status})`,
        );
      }
      measured.push({ count, wallMs: assay.wallMs, bareMs, peakMb: assay.peakKb / 1024 });
      log(
        `  ${count} cases: assay ${seconds(assay.wallMs)} (${((assay.wallMs * 1000) / count).toFixed(0)} µs/item), peak RSS ${megabytes(assay.peakKb)}; bare program ${seconds(bareMs)}`,
      );
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const at = (count) => measured.find((entry) => entry.count === count / scale);
    const small = at(10_000);
    const mid = at(50_000);
    const rows = measured.map((entry) =>
      row(
        'scaling',
        `${entry.count} cases`,
        `${seconds(entry.wallMs)}, ${entry.peakMb.toFixed(0)} MB`,
        `bare program ${seconds(entry.bareMs)}`,
        ratio(entry.wallMs / entry.bareMs),
        '—',
        null,
      ),
    );
    const rssRatio = mid.peakMb / small.peakMb;
    rows.push(
      row(
        'scaling',
        `RSS ${mid.count} ÷ ${small.count}`,
        rssRatio.toFixed(2),
        '—',
        '—',
        '≤ 1.25',
        rssRatio <= 1.25,
      ),
    );
    // Per item, from the mid size up: small runs are mostly start-up.
    const largest = measured.at(-1);
    const perItem = largest.wallMs / largest.count / (mid.wallMs / mid.count);
    rows.push(
      row(
        'scaling',
        `time/item ${largest.count} ÷ ${mid.count}`,
        perItem.toFixed(2),
        '—',
        '—',
        '≤ 1.2',
        perItem <= 1.2,
      ),
    );
    const million = at(1_000_000);
    if (million) {
      rows.push(
        row(
          'scaling',
          'peak RSS 1M',
          `${million.peakMb.toFixed(0)} MB`,
          '—',
          '—',
          '≤ 300 MB',
          million.peakMb <= 300,
        ),
      );
    }
    return { figures: { sizes: measured, rssRatio, perItemGrowth: perItem }, rows };
  } finally {
    await mock.close();
    removeTempDir(work);
  }
}

function timeSpawn(args, timeoutMs = SPAWN_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-8000);
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let ms = 0;
    child.once('error', reject);
    child.once('exit', () => {
      ms = performance.now() - start;
    });
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      if (code !== 0) {
        reject(new BenchError(`node ${args.join(' ')} exited with ${signal ?? code}:\n${tail(stderr)}`));
      } else resolve({ ms, out });
    });
  });
}

async function startup({ scale }) {
  const samples = Math.max(2, 20 / scale);
  const barMs = 250;
  log(`startup: ${samples} spawns each of \`assay --version\` and \`node -e 0\`, interleaved`);
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  // One untimed spawn of each first (OS file cache), then alternate so drift hits both equally.
  await timeSpawn([BIN, '--version']);
  await timeSpawn(['-e', '0']);
  const assay = [];
  const node = [];
  for (let i = 0; i < samples; i++) {
    const run = await timeSpawn([BIN, '--version']);
    if (!run.out.includes(version)) throw new BenchError(`assay --version printed "${run.out.trim()}"`);
    assay.push(run.ms);
    node.push((await timeSpawn(['-e', '0'])).ms);
  }
  const a50 = median(assay);
  const a90 = percentile(assay, 90);
  const n50 = median(node);
  const n90 = percentile(node, 90);
  log(
    `  assay --version median ${millis(a50)} p90 ${millis(a90)}; node -e 0 median ${millis(n50)} p90 ${millis(n90)}`,
  );
  return {
    figures: {
      samples,
      assayMedianMs: a50,
      assayP90Ms: a90,
      nodeMedianMs: n50,
      nodeP90Ms: n90,
      differenceMedianMs: a50 - n50,
      ratio: a50 / n50,
      barMs,
      assayMs: assay,
      nodeMs: node,
    },
    rows: [
      row(
        'startup',
        'median',
        millis(a50),
        `node -e 0 ${millis(n50)}`,
        `${ratio(a50 / n50)} (+${millis(a50 - n50)})`,
        `≤ ${millis(barMs)}`,
        a50 <= barMs,
      ),
      row(
        'startup',
        'p90',
        millis(a90),
        `node -e 0 ${millis(n90)}`,
        `${ratio(a90 / n90)} (+${millis(a90 - n90)})`,
        `≤ ${millis(barMs)}`,
        a90 <= barMs,
      ),
    ],
  };
}

// Rate limits: the mock refuses what exceeds its per-key buckets (one second of traffic each).

const percent = (value) => `${(value * 100).toFixed(1)}%`;

/** Statuses of every model-plane request a mock started with its journal received. */
async function journalStatuses(mockUrl) {
  const { statusCode, body } = await request(`${mockUrl}/__mock/requests`, {
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const entries = await body.json();
  if (statusCode !== 200 || !Array.isArray(entries))
    throw new BenchError(`GET /__mock/requests answered ${statusCode}`);
  return entries.map((entry) => entry.status);
}

/** Retries Assay reports: sum(attempts - 1), a lower bound of the 429s it met. */
function retriesOf(report, target) {
  return (report.results ?? [])
    .filter((result) => target === undefined || result.target === target)
    .reduce((sum, result) => sum + (result.attempts - 1), 0);
}

async function ratelimited({ scale }) {
  const count = 300 / scale;
  const rpm = 1200;
  const idealMs = (count / (rpm / 60)) * 1000;
  const barRatio = 1.05;
  const barShare = 0.05;
  const work = makeTempDir('ratelimited');
  const warm = await startMock(0);
  const mock = await startMock(0, { rpm, journal: true });
  try {
    const targets = [...DEFAULT_TARGETS, `    rate_limit: { rpm: ${rpm} }`];
    const configPath = writeProject(path.join(work, 'project'), count, targets);
    log(`ratelimited: ${count} cases, concurrency ${CONCURRENCY}, mock ${mock.url} at ${rpm} RPM per key`);
    await warmUpAssay(warm.url, work); // against an unlimited mock: the limited one's bucket stays full
    await warm.close();
    const assay = await runAssay({
      configPath,
      mockUrl: mock.url,
      dbPath: path.join(work, 'assay.db'),
      cache: false,
    });
    checkReport(assay.report, count, { cached: false });
    const statuses = await journalStatuses(mock.url);
    const refused = statuses.filter((status) => status === 429).length;
    const others = statuses.filter((status) => status !== 200 && status !== 429).length;
    if (others > 0)
      throw new BenchError(`the limited mock answered ${others} requests with neither 200 nor 429`);
    const share = refused / statuses.length;
    const retries = retriesOf(assay.report);
    log(
      `  assay run ${seconds(assay.wallMs)}; ${refused} of ${statuses.length} requests got 429, ${retries} retries`,
    );
    return {
      figures: {
        count,
        concurrency: CONCURRENCY,
        rpm,
        idealMs,
        assayMs: assay.wallMs,
        ratioToIdeal: assay.wallMs / idealMs,
        requests: statuses.length,
        refused,
        refusedShare: share,
        retriesReported: retries,
        bars: { ratioToIdeal: barRatio, refusedShare: barShare },
      },
      rows: [
        row(
          'ratelimited',
          'wall time',
          seconds(assay.wallMs),
          `ideal ${seconds(idealMs)}`,
          ratio(assay.wallMs / idealMs),
          `≤ ${barRatio}×`,
          assay.wallMs / idealMs <= barRatio,
        ),
        row(
          'ratelimited',
          '429 share',
          `${refused} of ${statuses.length}`,
          '—',
          percent(share),
          `≤ ${percent(barShare)}`,
          share <= barShare,
        ),
      ],
    };
  } finally {
    await warm.close();
    await mock.close();
    removeTempDir(work);
  }
}

// Rate limits Assay must learn: the mock keeps and tells its limit one way per scenario, and the
// target sets no `rate_limit`. 300 cases, concurrency 50.

const LEARNED = {
  'learn-windows': {
    what: '1-second windows of 20, OpenAI headers, retry-after in whole seconds (the issue’s server)',
    rpm: 1200,
    flags: ['--rate-window', 'fixed', '--retry-hint', 'seconds'],
  },
  'learn-minute': {
    what: 'per-minute windows of 200, OpenAI headers, exact retry-after',
    rpm: 200,
    flags: ['--rate-window', 'fixed', '--rate-window-ms', '60000'],
    // 200 at once, the other 100 when the second window opens: a minute after the first call.
    idealMs: () => 60_000,
  },
  'learn-bucket': {
    what: 'a bucket refilled continuously, holding 1 s, OpenAI headers, exact retry-after',
    rpm: 1200,
    flags: [],
  },
  'learn-anthropic': {
    what: 'a bucket, Anthropic headers (RFC 3339 resets), retry-after in whole seconds',
    rpm: 1200,
    flags: [],
    target: (url) => [`  - id: anthropic:claude-3-5-haiku-latest`, `    base_url: ${url}`],
  },
  'learn-no-headers': {
    what: '1-second windows, no rate-limit headers (vLLM, LiteLLM), retry-after in whole seconds',
    rpm: 1200,
    flags: ['--rate-window', 'fixed', '--rate-headers', 'none', '--retry-hint', 'seconds'],
  },
  'learn-bare': {
    what: 'a bucket, no rate-limit headers, a bare 429',
    rpm: 1200,
    flags: ['--rate-headers', 'none', '--retry-hint', 'none'],
  },
  'learn-gemini': {
    what: 'Gemini: a bucket, no headers, only a 429 with an exact RetryInfo delay',
    rpm: 1200,
    flags: [],
    target: (url) => [`  - id: google:gemini-2.5-flash`, `    base_url: ${url}`],
  },
};

/** One learned-limit scenario: wall time against the ideal, the 429 share, and no answer paid twice. */
async function learned(name, { scale }) {
  const spec = LEARNED[name];
  const count = 300 / scale;
  const { rpm } = spec;
  const idealMs = spec.idealMs?.(count) ?? (count / (rpm / 60)) * 1000;
  const barRatio = 1.2;
  const barShare = 0.05;
  const work = makeTempDir(name);
  const warm = await startMock(0);
  const mock = await startMock(0, { rpm, journal: true, flags: spec.flags });
  try {
    const target = spec.target?.(mock.url) ?? [`  - id: openai:gpt-4o-mini`, `    base_url: ${mock.url}/v1`];
    const targets = [...target, '    config: { temperature: 0, max_tokens: 16 }'];
    const configPath = writeProject(path.join(work, 'project'), count, targets);
    log(
      `${name}: ${count} cases, concurrency ${CONCURRENCY}, no rate_limit configured; mock at ${rpm} RPM: ${spec.what}`,
    );
    await warmUpAssay(warm.url, work);
    await warm.close();
    const assay = await runAssay({
      configPath,
      mockUrl: mock.url,
      dbPath: path.join(work, 'assay.db'),
      cache: false,
    });
    checkReport(assay.report, count, { cached: false });
    const statuses = await journalStatuses(mock.url);
    const refused = statuses.filter((status) => status === 429).length;
    const answered = statuses.filter((status) => status === 200).length;
    const others = statuses.length - refused - answered;
    if (others > 0)
      throw new BenchError(`the limited mock answered ${others} requests with neither 200 nor 429`);
    // Every case asks a different question: more answers than cases means a successful call was repeated.
    const repeated = answered - count;
    const share = refused / statuses.length;
    const ratioToIdeal = assay.wallMs / idealMs;
    log(
      `  assay run ${seconds(assay.wallMs)} (ideal ${seconds(idealMs)}); ${refused} of ${statuses.length} requests got 429; ${repeated} successful calls repeated`,
    );
    return {
      figures: {
        behaviour: spec.what,
        count,
        concurrency: CONCURRENCY,
        rpm,
        idealMs,
        assayMs: assay.wallMs,
        ratioToIdeal,
        requests: statuses.length,
        refused,
        refusedShare: share,
        repeatedSuccesses: repeated,
        bars: { ratioToIdeal: barRatio, refusedShare: barShare, repeatedSuccesses: 0 },
      },
      rows: [
        row(
          name,
          'wall time',
          seconds(assay.wallMs),
          `ideal ${seconds(idealMs)}`,
          ratio(ratioToIdeal),
          `≤ ${barRatio}×`,
          ratioToIdeal <= barRatio,
        ),
        row(
          name,
          '429 share',
          `${refused} of ${statuses.length}`,
          '—',
          percent(share),
          `≤ ${percent(barShare)}`,
          share <= barShare,
        ),
        row(name, 'answers repeated', String(repeated), '—', '—', '0', repeated === 0),
      ],
    };
  } finally {
    await warm.close();
    await mock.close();
    removeTempDir(work);
  }
}

const THROTTLED_TARGET = 'openai:gpt-4o-mini';
const FREE_TARGET = 'openai-compatible:mock-model';
const ITEM_LINE = /^\[\s*\d+\/\d+\] (?:PASS|FAIL|ERROR)\s+\S+ {2}(\S+) {2}/;
const RUN_START_LINE = /^run \S+: \d+ items/;
const LANE_PAIRS = 3;

/** ms from spawn until the last `--progress lines` result line of `target` arrived; checks their count. */
function lastResultMs(lines, target, expected) {
  const own = lines.filter(({ text }) => ITEM_LINE.exec(text)?.[1] === target);
  if (own.length !== expected)
    throw new BenchError(`${own.length} progress lines for ${target}, expected ${expected}`);
  return Math.max(...own.map(({ atMs }) => atMs));
}

async function twoLanes({ scale }) {
  const count = 300 / scale;
  const rpm = 600;
  const barRatio = 1.1;
  const work = makeTempDir('two-lanes');
  const limited = await startMock(0, { rpm });
  const free = await startMock(0);
  try {
    const targets = [
      `  - id: ${THROTTLED_TARGET}`,
      `    base_url: ${limited.url}/v1`,
      '    config: { temperature: 0, max_tokens: 16 }',
      `    rate_limit: { rpm: ${rpm} }`,
      `  - id: ${FREE_TARGET}`,
      `    base_url: ${free.url}/v1`,
      '    config: { temperature: 0, max_tokens: 16 }',
    ];
    const configPath = writeProject(path.join(work, 'project'), count, targets);
    log(
      `two-lanes: ${count} cases × 2 targets, concurrency ${CONCURRENCY}; ${THROTTLED_TARGET} on a mock at ${rpm} RPM, ${FREE_TARGET} on an unlimited one`,
    );
    await warmUpAssay(free.url, work);
    const lane = async (alone, index) => {
      const run = await runAssay({
        configPath,
        mockUrl: limited.url,
        dbPath: path.join(work, `assay-${alone ? 'alone' : 'both'}-${index}.db`),
        cache: false,
        progress: 'lines',
        extraArgs: alone ? ['--target', FREE_TARGET] : [],
      });
      checkReport(run.report, alone ? count : 2 * count, { cached: false });
      const freeMs = lastResultMs(run.lines, FREE_TARGET, count);
      // From the run's first line on: the pool phase alone, without start-up and planning.
      const startMs = run.lines.find(({ text }) => RUN_START_LINE.test(text))?.atMs ?? null;
      const throttledMs = alone ? null : lastResultMs(run.lines, THROTTLED_TARGET, count);
      const retries = alone ? null : retriesOf(run.report, THROTTLED_TARGET);
      log(
        `  ${alone ? 'alone   ' : 'together'} #${index}: free lane done at ${seconds(freeMs)} (run start ${startMs === null ? '?' : seconds(startMs)})${alone ? '' : `, throttled lane at ${seconds(throttledMs)} (${retries} retries)`}; exit at ${seconds(run.wallMs)}`,
      );
      return { freeMs, startMs, throttledMs, retries, wallMs: run.wallMs };
    };
    // Interleaved pairs, so drift in the machine's speed hits both alike; the best of each is kept.
    const alone = [];
    const together = [];
    for (let index = 1; index <= LANE_PAIRS; index++) {
      alone.push(await lane(true, index));
      together.push(await lane(false, index));
    }
    const aloneMs = Math.min(...alone.map((run) => run.freeMs));
    const togetherMs = Math.min(...together.map((run) => run.freeMs));
    const throttledMs = Math.min(...together.map((run) => run.throttledMs));
    const fromStart = (runs) => Math.min(...runs.map((run) => run.freeMs - (run.startMs ?? 0)));
    const aloneFromStartMs = fromStart(alone);
    const togetherFromStartMs = fromStart(together);
    const idealThrottledMs = (count / (rpm / 60)) * 1000;
    return {
      figures: {
        count,
        concurrency: CONCURRENCY,
        rpm,
        alone,
        together,
        aloneMs,
        togetherMs,
        ratio: togetherMs / aloneMs,
        aloneFromStartMs,
        togetherFromStartMs,
        throttledMs,
        idealThrottledMs,
        bars: { ratio: barRatio },
      },
      rows: [
        row(
          'two-lanes',
          'free lane done',
          seconds(togetherMs),
          `alone ${seconds(aloneMs)}`,
          ratio(togetherMs / aloneMs),
          `≤ ${barRatio}×`,
          togetherMs / aloneMs <= barRatio,
        ),
        row(
          'two-lanes',
          '(from run start)',
          seconds(togetherFromStartMs),
          `alone ${seconds(aloneFromStartMs)}`,
          ratio(togetherFromStartMs / aloneFromStartMs),
          '—',
          null,
        ),
        row(
          'two-lanes',
          '(600 RPM lane)',
          seconds(throttledMs),
          `ideal ${seconds(idealThrottledMs)}`,
          ratio(throttledMs / idealThrottledMs),
          '—',
          null,
        ),
      ],
    };
  } finally {
    await limited.close();
    await free.close();
    removeTempDir(work);
  }
}

/** An empty PostgreSQL database for one scenario, dropped by `drop()`. */
async function benchDatabase() {
  const admin = process.env.ASSAY_BENCH_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres';
  const { default: pg } = await import('pg');
  const name = `assay_bench_${process.pid}_${Date.now()}`;
  const query = async (text) => {
    const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  try {
    await query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    throw new BenchError(
      `no PostgreSQL server for the storage scenario at ${admin.replace(/:[^:@/]*@/, ':***@')} (${error.message}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** `assay <args>` as a child process: wall time from spawn to exit; fails loudly on a non-zero exit. */
async function timeAssay(args, env) {
  const start = performance.now();
  const child = track(
    spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output = (output + chunk).slice(-5_000);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    output = (output + chunk).slice(-5_000);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(killer));
  if (code !== 0) throw new BenchError(`assay ${args.join(' ')} exited with ${code}:\n${tail(output)}`);
  return performance.now() - start;
}

/**
 * The PostgreSQL store beside SQLite in the same bench run: the overhead workload (10,000 cases, mock
 * at 0 ms, concurrency 50, all results persisted) on each, best of two, alternating; then backup and
 * restore of each store (two runs of results) as results per second, process start included.
 */
async function storage({ scale }) {
  const count = 10_000 / scale;
  const work = makeTempDir('storage');
  const mock = await startMock(0);
  const databases = [];
  try {
    const configPath = writeProject(path.join(work, 'project'), count);
    const postgres = await benchDatabase();
    databases.push(postgres);
    const sqlitePath = path.join(work, 'assay.db');
    log(
      `storage: ${count} calls, concurrency ${CONCURRENCY}, mock ${mock.url}; SQLite ${sqlitePath}, PostgreSQL ${postgres.url}`,
    );
    await warmUpAssay(mock.url, work);
    const times = { sqlite: [], postgres: [] };
    for (let round = 0; round < 2; round++) {
      for (const store of ['sqlite', 'postgres']) {
        const run = await runAssay({
          configPath,
          mockUrl: mock.url,
          dbPath: sqlitePath,
          ...(store === 'postgres' ? { databaseUrl: postgres.url } : {}),
          cache: false,
        });
        checkReport(run.report, count, { cached: false });
        times[store].push(run.wallMs);
        log(`  ${store === 'sqlite' ? 'SQLite    ' : 'PostgreSQL'} run ${seconds(run.wallMs)}`);
      }
    }
    const sqliteMs = Math.min(...times.sqlite);
    const postgresMs = Math.min(...times.postgres);
    const storeRatio = postgresMs / sqliteMs;

    // Each store now holds two runs of `count` results.
    const results = 2 * count;
    const transfer = {};
    for (const store of ['sqlite', 'postgres']) {
      const from = store === 'sqlite' ? sqlitePath : postgres.url;
      const archive = path.join(work, `${store}.assay`);
      const backupMs = await timeAssay(['db', 'backup', '-o', archive, '--db', from], {});
      let target = path.join(work, 'restored.db');
      if (store === 'postgres') {
        const restored = await benchDatabase();
        databases.push(restored);
        target = restored.url;
      }
      const restoreMs = await timeAssay(['db', 'restore', archive, '--to', target], {});
      transfer[store] = {
        backupMs,
        restoreMs,
        archiveBytes: fs.statSync(archive).size,
        backupPerSecond: results / (backupMs / 1000),
        restorePerSecond: results / (restoreMs / 1000),
      };
      log(
        `  ${store === 'sqlite' ? 'SQLite    ' : 'PostgreSQL'} backup ${seconds(backupMs)} (${Math.round(transfer[store].backupPerSecond)} results/s, ${megabytes(transfer[store].archiveBytes / 1024)}), restore ${seconds(restoreMs)} (${Math.round(transfer[store].restorePerSecond)} results/s)`,
      );
    }
    const perSecond = (value) => `${Math.round(value).toLocaleString('en-US')} results/s`;
    return {
      figures: {
        count,
        concurrency: CONCURRENCY,
        sqliteMs: times.sqlite,
        postgresMs: times.postgres,
        ratio: storeRatio,
        transfer,
        bars: { ratio: 1.3 },
      },
      rows: [
        row(
          'storage',
          'overhead on PostgreSQL',
          seconds(postgresMs),
          `SQLite ${seconds(sqliteMs)}`,
          ratio(storeRatio),
          '≤ 1.3×',
          storeRatio <= 1.3,
        ),
        ...['sqlite', 'postgres'].flatMap((store) => [
          row(
            'storage',
            `backup ${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
            perSecond(transfer[store].backupPerSecond),
            `${results} results`,
            '—',
            '—',
            null,
          ),
          row(
            'storage',
            `restore into ${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
            perSecond(transfer[store].restorePerSecond),
            `${results} results`,
            '—',
            '—',
            null,
          ),
        ]),
      ],
    };
  } finally {
    await mock.close();
    for (const database of databases) await database.drop().catch(() => {});
    removeTempDir(work);
  }
}

/** Stores 100 runs × `perRun` results (three scores each) through the store's own write path. */
async function seedStore(store, perRun, now) {
  const runs = [];
  for (let index = 0; index < 100; index++) {
    const run = {
      id: `bench-run-${String(index).padStart(3, '0')}`,
      configPath: 'assay.yaml',
      status: 'completed',
      fingerprint: {
        configHash: 'c',
        datasetVersion: 'd',
        promptVersions: {},
        targetVersions: { mini: 'v1', large: 'v2' },
        scorerVersions: {},
        gitCommit: null,
        assayVersion: 'bench',
      },
      options: { suite: index % 2 ? 'critical' : 'regression', filters: [], targets: [], repeat: 1 },
      totalItems: perRun,
      startedAt: now - (100 - index) * 3_600_000,
      finishedAt: now - (100 - index) * 3_600_000 + 60_000,
      user: `user-${index % 5}`,
    };
    await store.createRun(run);
    runs.push(run);
    for (let start = 0; start < perRun; start += 5_000) {
      const batch = [];
      for (let item = start; item < Math.min(perRun, start + 5_000); item++) {
        const failed = item % 10 === 0;
        batch.push({
          runId: run.id,
          itemId: `item-${String(item).padStart(6, '0')}`,
          taskId: `task-${item % 5_000}`,
          taskVersion: 'tv1',
          targetName: item % 2 ? 'mini' : 'large',
          targetVersion: item % 2 ? 'v1' : 'v2',
          repeat: 0,
          status: failed ? 'failed' : 'passed',
          prompt: [{ role: 'user', content: `What is ${item} + 1000?` }],
          output: String(item + 1000),
          score: failed ? 0 : 1,
          scores: [
            { name: 'equals', value: failed ? 0 : 1, pass: !failed, reason: '', weight: 1 },
            { name: 'contains', value: 1, pass: true, reason: '', weight: 1 },
            { name: 'latency', value: 1, pass: true, reason: 'fast', weight: 0.5 },
          ],
          latencyMs: 100 + (item % 50),
          usage: { inputTokens: 12, outputTokens: 3 },
          costUsd: 0.000_02,
          attempts: 1,
          cached: false,
          servedBy: item % 2 ? 'mini' : 'large',
          error: null,
          createdAt: run.startedAt + item,
        });
      }
      await store.saveResults(batch);
    }
  }
  return runs;
}

/** The p95 of `samples` calls of `query` (ms). */
async function p95Of(samples, query) {
  const times = [];
  for (let index = 0; index < samples; index++) {
    const start = performance.now();
    await query(index);
    times.push(performance.now() - start);
  }
  return percentile(times, 95);
}

/**
 * The queries the API and dashboard make, against a store of 1,000,000 results (100 runs), on SQLite
 * and on PostgreSQL: run list, run detail (the run and its figures), a results page (with and without
 * a status filter), costs by model over 30 days. p95 of 40 calls each, in this process (no API server
 * exists yet: these are the store calls a server would make).
 */
async function storeQueries({ scale }) {
  const perRun = 10_000 / scale;
  const work = makeTempDir('store-queries');
  const postgres = await benchDatabase();
  const { openStore } = await import(path.join(ROOT, 'dist', 'store', 'open.js'));
  const now = Date.now();
  const figures = { results: 100 * perRun, stores: {} };
  const rows = [];
  try {
    for (const [name, url] of [
      ['SQLite', path.join(work, 'big.db')],
      ['PostgreSQL', postgres.url],
    ]) {
      const { store } = await openStore(url);
      try {
        const seedStart = performance.now();
        const runs = await seedStore(store, perRun, now);
        const seedMs = performance.now() - seedStart;
        log(`store-queries: ${name} seeded ${100 * perRun} results in ${seconds(seedMs)}`);
        const pick = (index) => runs[(index * 37) % runs.length].id;
        const queries = {
          'run list': () => store.listRuns({ limit: 20 }),
          'run detail': async (index) => {
            await store.getRun(pick(index));
            await store.runStats(pick(index));
          },
          'results page': (index) =>
            store.listResults({ runId: pick(index), limit: 50, offset: (index * 997) % perRun }),
          'failed page': (index) => store.listResults({ runId: pick(index), status: ['failed'], limit: 50 }),
          'costs by model, 30 days': () => store.costBreakdown({ since: now - 30 * 86_400_000, by: 'model' }),
        };
        const measured = { seedMs };
        for (const [query, run] of Object.entries(queries)) {
          await run(0); // warm-up
          measured[query] = await p95Of(40, run);
          const bar = query.startsWith('costs') ? 500 : 100;
          log(`  ${query}: p95 ${measured[query].toFixed(1)} ms`);
          rows.push(
            row(
              'store-queries',
              `${name}: ${query} p95`,
              `${measured[query].toFixed(1)} ms`,
              `${100 * perRun} results`,
              '—',
              `< ${bar} ms`,
              measured[query] < bar,
            ),
          );
        }
        figures.stores[name] = measured;
      } finally {
        await store.close();
      }
    }
    return { figures, rows };
  } finally {
    await postgres.drop().catch(() => {});
    removeTempDir(work);
  }
}

const RUNNERS = {
  overhead,
  latency,
  cached,
  startup,
  ratelimited,
  'two-lanes': twoLanes,
  scaling,
  ...Object.fromEntries(Object.keys(LEARNED).map((name) => [name, (options) => learned(name, options)])),
  storage,
  'store-queries': storeQueries,
};

// ---------------------------------------------------------------------------------------------------
// Report

function row(scenario, measure, value, baseline, ratioText, bar, pass) {
  return {
    scenario,
    measure,
    value,
    baseline,
    ratio: ratioText,
    bar,
    result: pass === null ? '' : pass ? 'PASS' : 'MISS',
  };
}

function log(line) {
  process.stderr.write(`${line}\n`);
}

function renderTable(rows) {
  const columns = [
    ['scenario', 'scenario'],
    ['measure', 'measure'],
    ['value', 'measured'],
    ['baseline', 'baseline'],
    ['ratio', 'ratio'],
    ['bar', 'bar'],
    ['result', 'result'],
  ];
  const widths = columns.map(([key, title]) =>
    Math.max(title.length, ...rows.map((r) => String(r[key]).length)),
  );
  const line = (cells) =>
    cells
      .map((cell, i) => String(cell).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map(([, title]) => title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map(([key]) => r[key]))),
  ].join('\n');
}

/**
 * CPU time in clock ticks: `busy` for the whole machine (/proc/stat, steal included), `own` for this
 * process and its reaped children (/proc/self/stat utime, stime, cutime, cstime). The difference over a
 * scenario is CPU that other programs used meanwhile: a noisy-neighbour gauge, null off Linux.
 */
function cpuSnapshot() {
  try {
    const fields = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = fields;
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const own = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 15)
      .map(Number);
    return {
      busy: user + nice + system + irq + softirq + steal,
      total: user + nice + system + idle + iowait + irq + softirq + steal,
      own: own.reduce((a, b) => a + b, 0),
    };
  } catch {
    return null;
  }
}

/** CPUs' worth of work done by other programs between two snapshots, e.g. 0.3 = 30% of one core. */
function foreignCpu(before, after, cpus) {
  if (!before || !after || after.total === before.total) return null;
  const foreign = after.busy - before.busy - (after.own - before.own);
  return Math.max(0, (foreign / (after.total - before.total)) * cpus);
}

/**
 * Waits (at most QUIET_WAIT_MS) until other programs use under 0.2 CPUs over a 1 s window, so a
 * scenario does not start in the middle of someone else's build. Returns the last reading.
 */
async function waitForQuiet(cpus) {
  const deadline = performance.now() + QUIET_WAIT_MS;
  let reading = null;
  let warned = false;
  while (true) {
    const before = cpuSnapshot();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    reading = foreignCpu(before, cpuSnapshot(), cpus);
    if (reading === null || reading < 0.2 || performance.now() >= deadline) return reading;
    if (!warned)
      log(`  waiting for the machine to go quiet (other programs use ${reading.toFixed(2)} CPUs)…`);
    warned = true;
  }
}

/** The commit measured, and whether src/ had uncommitted changes (read-only git queries). */
function gitState() {
  const git = (args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim();
  try {
    return {
      commit: git(['rev-parse', 'HEAD']),
      srcDirty: git(['status', '--porcelain', '--', 'src']) !== '',
    };
  } catch {
    return null;
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new BenchError('dist/ is missing: run `npm run build` first (or `npm run bench`)');
  }
  const scale = args.quick ? 10 : 1;
  const names = args.only ? [args.only] : SCENARIOS;
  const info = machine();
  log(
    `assay bench${args.quick ? ' (quick: counts ÷10, a smoke run, not a measurement)' : ''}: ${info.cpus} CPUs, ${info.cpuModel}, Node ${info.node}`,
  );

  const results = {
    date: new Date().toISOString(),
    quick: args.quick,
    machine: info,
    git: gitState(),
    scenarios: {},
  };
  const rows = [];
  let broken = 0;
  for (const name of names) {
    const started = performance.now();
    const quiet = await waitForQuiet(info.cpus);
    if (quiet !== null && quiet >= 0.2) log(`  bench: the machine did not go quiet; running ${name} anyway`);
    const cpuBefore = cpuSnapshot();
    try {
      const outcome = await RUNNERS[name]({ scale, full: args.full });
      const otherCpu = foreignCpu(cpuBefore, cpuSnapshot(), info.cpus);
      if (otherCpu !== null) {
        log(`  other programs used ${otherCpu.toFixed(2)} CPUs on average during ${name}`);
        if (otherCpu > 0.2)
          log(`  bench: warning: the ${name} figures are skewed by other work on this machine`);
      }
      results.scenarios[name] = { ok: true, ...outcome.figures, otherCpu, rows: outcome.rows };
      rows.push(...outcome.rows);
    } catch (error) {
      broken++;
      const message = error instanceof BenchError ? error.message : (error?.stack ?? String(error));
      log(`bench: scenario ${name} FAILED TO RUN: ${message}`);
      results.scenarios[name] = { ok: false, error: message };
      rows.push(row(name, 'ERROR', 'failed to run', '—', '—', '—', null));
    }
    log(`  (${name} took ${seconds(performance.now() - started)})`);
  }

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, 'latest.json');
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const other = names
    .map((name) => results.scenarios[name].otherCpu)
    .map((value, i) => `${names[i]} ${value == null ? '?' : value.toFixed(2)}`)
    .join(', ');
  const loadNote = `CPUs used by other programs meanwhile (of ${info.cpus}): ${other}`;
  process.stdout.write(
    `\n${renderTable(rows)}\n\n${loadNote}\nfigures written to ${path.relative(process.cwd(), file) || file}\n`,
  );
  return broken > 0 ? 1 : 0;
}

main().then(
  (code) => {
    cleanupSync();
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bench: ${error instanceof BenchError ? error.message : (error?.stack ?? error)}\n`);
    cleanupSync();
    process.exitCode = 1;
  },
);
