#!/usr/bin/env node
// Assay benchmark: measures the quality bars of DESIGN.md section 6 against baselines measured in the
// same run, and reports ratios (the figures of a noisy VM are only meaningful next to each other).
//
//   npm run bench                      # build, then every scenario
//   node bench/run.js --quick          # counts ÷10: a smoke run, not a measurement
//   node bench/run.js --only overhead  # one scenario: overhead | latency | cached | startup
//
// Prints a table and writes the figures to bench/results/latest.json. Exits 0 even when a bar is
// missed (this is a report, not a test); exits 1 when a scenario could not be run correctly.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'assay.js');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SCENARIOS = ['overhead', 'latency', 'cached', 'startup'];
const CONCURRENCY = 50;
const MODEL = 'gpt-4o-mini';

// Hard limits so nothing can run away.
const CHILD_TIMEOUT_MS = 10 * 60_000; // any one assay run
const BARE_TIMEOUT_MS = 5 * 60_000; // any one bare loop
const REQUEST_TIMEOUT_MS = 30_000; // any one bare request
const SPAWN_TIMEOUT_MS = 30_000; // one startup sample / mock server start
const RSS_POLL_MS = 20;
const QUIET_WAIT_MS = 180_000; // longest wait for other programs to stop using the CPUs

// ---------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const args = { quick: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
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
  const text = `usage: node bench/run.js [--quick] [--only ${SCENARIOS.join('|')}]\n`;
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

class BenchError extends Error {}

function tail(text, lines = 15) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// The mock LLM server, in its own process so it never shares a thread with what is measured.

async function startMock(latencyMs) {
  const child = track(
    spawn(
      process.execPath,
      [
        BIN,
        'mock-server',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--latency',
        String(latencyMs),
        '--no-journal',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
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

// ---------------------------------------------------------------------------------------------------
// Workload: the same questions for the bare loop and for Assay, ~10% expected answers wrong on purpose.

function question(i) {
  const a = (i * 37) % 1000;
  const b = (i * 11) % 997;
  return { a, b, text: `What is ${a} + ${b}?` };
}

function expectedAnswer(i) {
  const { a, b } = question(i);
  return i % 10 === 9 ? String(a + b + 1) : String(a + b); // every tenth task fails
}

const expectedFailures = (count) => Math.floor(count / 10);

/** Writes an Assay project of `count` tasks into `dir`; returns the config path. */
function writeProject(dir, count) {
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
    '  - id: openai:gpt-4o-mini',
    '    config: { temperature: 0, max_tokens: 16 }',
    'tasks: [tasks/gen.jsonl]',
    `defaults: { concurrency: ${CONCURRENCY} }`,
    '',
  ].join('\n');
  const configPath = path.join(dir, 'assay.yaml');
  fs.writeFileSync(configPath, config);
  return configPath;
}

// ---------------------------------------------------------------------------------------------------
// Baseline: a bare keep-alive HTTP loop making the same calls, parsing each JSON body.

async function bareLoop(mockUrl, count, concurrency) {
  const url = `${mockUrl}/v1/chat/completions`;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: null, pipelining: 1 });
  const deadline = AbortSignal.timeout(BARE_TIMEOUT_MS);
  let next = 0;
  let wrong = 0;
  const worker = async () => {
    while (next < count) {
      if (deadline.aborted)
        throw new BenchError(`bare loop did not finish within ${BARE_TIMEOUT_MS / 1000} s`);
      const i = next++;
      const { statusCode, body } = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: `${question(i).text}\n` }],
          temperature: 0,
          max_tokens: 16,
        }),
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      const json = await body.json();
      if (statusCode !== 200)
        throw new BenchError(`bare loop: HTTP ${statusCode} ${JSON.stringify(json).slice(0, 200)}`);
      const content = json?.choices?.[0]?.message?.content;
      if (typeof content !== 'string')
        throw new BenchError('bare loop: answer without choices[0].message.content');
      if (content.trim() !== expectedAnswer(i)) wrong++;
    }
  };
  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    await agent.close();
  }
  const ms = performance.now() - start;
  if (wrong !== expectedFailures(count)) {
    throw new BenchError(`bare loop: ${wrong} wrong answers, expected ${expectedFailures(count)}`);
  }
  return ms;
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

async function runAssay({ configPath, mockUrl, dbPath, cache }) {
  const args = [BIN, 'run', '--progress', 'none', '--json', '-c', configPath];
  if (!cache) args.splice(2, 0, '--no-cache');
  const env = {
    ...process.env,
    OPENAI_API_KEY: 'bench-key',
    OPENAI_BASE_URL: `${mockUrl}/v1`,
    ASSAY_DB: dbPath,
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
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
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
    report = JSON.parse(Buffer.concat(stdout).toString('utf8'));
  } catch (error) {
    throw new BenchError(`assay run --json printed no valid JSON (${error.message}):\n${tail(stderr)}`);
  }
  return { wallMs, peakKb, report, stderr };
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
    const bare = Math.min(bare1, bare2);
    const timeRatio = assay.wallMs / bare;
    const rssMb = assay.peakKb / 1024;
    return {
      figures: {
        count,
        concurrency: CONCURRENCY,
        bareMs: [bare1, bare2],
        bareBestMs: bare,
        assayMs: assay.wallMs,
        ratio: timeRatio,
        peakRssMb: rssMb,
        bars: { ratio: 1.5, peakRssMb: 200 },
      },
      rows: [
        row(
          'overhead',
          'wall time',
          seconds(assay.wallMs),
          `bare loop ${seconds(bare)}`,
          ratio(timeRatio),
          '≤ 1.5×',
          timeRatio <= 1.5,
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
  const barMs = idealMs * 1.1;
  const work = makeTempDir('latency');
  const mock = await startMock(latencyMs);
  try {
    const configPath = writeProject(path.join(work, 'project'), count);
    log(`latency: ${count} calls, concurrency ${CONCURRENCY}, mock ${mock.url} (${latencyMs} ms)`);
    await bareLoop(mock.url, Math.min(count, 200), CONCURRENCY); // warm-up
    const bare = await bareLoop(mock.url, count, CONCURRENCY);
    log(`  bare loop ${seconds(bare)}`);
    await warmUpAssay(mock.url, work);
    const assay = await runAssay({
      configPath,
      mockUrl: mock.url,
      dbPath: path.join(work, 'assay.db'),
      cache: false,
    });
    checkReport(assay.report, count, { cached: false });
    log(`  assay run ${seconds(assay.wallMs)}`);
    return {
      figures: {
        count,
        concurrency: CONCURRENCY,
        latencyMs,
        idealMs,
        bareMs: bare,
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
          `ideal ${seconds(idealMs)}`,
          ratio(assay.wallMs / idealMs),
          `≤ ${seconds(barMs)}`,
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

function timeSpawn(args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.resume();
    const killer = setTimeout(() => child.kill('SIGKILL'), SPAWN_TIMEOUT_MS);
    let ms = 0;
    child.once('error', reject);
    child.once('exit', () => {
      ms = performance.now() - start;
    });
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      if (code !== 0) reject(new BenchError(`node ${args.join(' ')} exited with ${signal ?? code}`));
      else resolve({ ms, out });
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

const RUNNERS = { overhead, latency, cached, startup };

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
      const outcome = await RUNNERS[name]({ scale });
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
