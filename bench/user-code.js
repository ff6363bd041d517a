#!/usr/bin/env node
// What user code costs a run: 10,000 tasks against the mock at 0 ms (concurrency 50, no cache), each
// scored by one piece of the project's own code, timed from spawn to exit. Builds are run in
// alternation (A B B A A B…) so a machine that slows down mid-way weighs on both alike.
//
//   node bench/user-code.js --kind inline                      # this checkout's build only
//   node bench/user-code.js --kind scorer --build /tmp/old --build . --rounds 3
//   node bench/user-code.js --calls                            # cost of one guarded call, in process
//
// Kinds: inline (a `javascript` assertion `output.length < 100`), module (the same as a `file:`
// check), scorer (a defineScorer module), filter (a custom template filter in the prompt), none (an
// `equals` assertion: no user code).
// Each --build is a directory holding a built Assay (bin/assay.js; run `npm run build` there).
// Prints every run's wall time and, through /usr/bin/time when the system has it, its CPU time (user
// + system, all threads): on a shared machine the CPU time says more about the cost of each call than
// the wall time. Then each build's medians and ranges.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { expectedAnswer, question } from './workload.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = 10_000;
const KINDS = ['inline', 'module', 'scorer', 'filter', 'none'];

function parseArgs(argv) {
  const args = { kind: 'inline', builds: [], rounds: 3, calls: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--calls') args.calls = true;
    else if (arg === '--kind') args.kind = argv[++i];
    else if (arg === '--build') args.builds.push(path.resolve(argv[++i]));
    else if (arg === '--rounds') args.rounds = Number(argv[++i]);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!KINDS.includes(args.kind)) throw new Error(`--kind needs one of ${KINDS.join(', ')}`);
  if (!(args.rounds >= 1)) throw new Error('--rounds needs a number from 1');
  if (args.builds.length === 0) args.builds.push(ROOT);
  for (const build of args.builds) {
    if (!fs.existsSync(path.join(build, 'bin', 'assay.js'))) throw new Error(`no bin/assay.js in ${build}`);
  }
  return args;
}

function writeProject(dir, kind) {
  fs.mkdirSync(dir, { recursive: true });
  const assertion = {
    inline: { type: 'javascript', value: 'output.length < 100' },
    module: { type: 'javascript', value: 'file:check.mjs' },
    scorer: { type: 'short' },
    filter: { type: 'equals' },
    none: { type: 'equals' },
  }[kind];
  const lines = [];
  for (let i = 0; i < COUNT; i++) {
    const task = { id: `t${i + 1}`, vars: { question: question(i).text }, expected: expectedAnswer(i) };
    lines.push(JSON.stringify({ ...task, assert: [assertion] }));
  }
  fs.writeFileSync(path.join(dir, 'tasks.jsonl'), `${lines.join('\n')}\n`);
  fs.writeFileSync(
    path.join(dir, 'q.njk'),
    kind === 'filter' ? '{{ question | same }}\n' : '{{ question }}\n',
  );
  fs.writeFileSync(
    path.join(dir, 'scorers.mjs'),
    "export default { name: 'short', version: '1', prepare: () => ({ output }) => ({ value: output.length < 100 ? 1 : 0, pass: output.length < 100, reason: 'length' }) };\n",
  );
  fs.writeFileSync(path.join(dir, 'filters.mjs'), 'export function same(text) { return String(text); }\n');
  fs.writeFileSync(path.join(dir, 'check.mjs'), 'export default (output) => output.length < 100;\n');
  const config = [
    'prompts: [q.njk]',
    'targets:',
    '  - id: openai:gpt-4o-mini',
    '    config: { temperature: 0, max_tokens: 16 }',
    'tasks: [tasks.jsonl]',
    ...(kind === 'scorer' ? ['scorers: [scorers.mjs]'] : []),
    ...(kind === 'filter' ? ['templates: { filters: filters.mjs }'] : []),
    'defaults: { concurrency: 50 }',
    '',
  ];
  fs.writeFileSync(path.join(dir, 'assay.yaml'), config.join('\n'));
}

function startMock(build) {
  const bin = path.join(build, 'bin', 'assay.js');
  const args = [bin, 'mock-server', '--port', '0', '--host', '127.0.0.1', '--latency', '0', '--no-journal'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve({ url: match[1], close: () => child.kill() });
    });
    child.once('exit', (code) => reject(new Error(`mock server exited (${code})`)));
  });
}

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
let runs = 0;

/** Wall ms and, with /usr/bin/time, CPU ms (user + system) of one `assay run`. */
function timeRun(build, dir, mockUrl) {
  const env = {
    ...process.env,
    // A key of its own per run: the mock reports rate-limit headers per key, and a second 10,000-call
    // run within the minute would find Assay's learned limit near empty and be paced.
    OPENAI_API_KEY: `bench-key-${++runs}`,
    OPENAI_BASE_URL: `${mockUrl}/v1`,
    ASSAY_DB: path.join(dir, `assay-${path.basename(build)}.db`),
    NO_COLOR: '1',
  };
  const args = [path.join(build, 'bin', 'assay.js'), 'run', '--no-cache', '--progress', 'none', '--json'];
  const timeFile = path.join(dir, 'time.txt');
  const [command, commandArgs] = TIME
    ? [TIME, ['-f', '%U %S', '-o', timeFile, process.execPath, ...args]]
    : [process.execPath, args];
  const start = performance.now();
  const child = spawn(command, commandArgs, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const wallMs = performance.now() - start;
      if (code !== 0 && code !== 1) {
        reject(new Error(`assay run exited with ${code}:\n${stderr}`));
        return;
      }
      const cpu = TIME ? fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number) : [];
      resolve({ wallMs, cpuMs: cpu.length === 2 ? (cpu[0] + cpu[1]) * 1000 : null });
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The cost of one call of user code on the run's thread, without a run around it: a direct call (no
 * limit, as before), an inline check through the check worker (50 in flight, as in a run at -j 50),
 * and a module call under the vm watchdog. CPU is this process's, both threads. Needs the tsc build.
 */
async function measureCalls() {
  const { CheckWorker } = await import('../dist/user-code/check-worker.js');
  const { callWithin } = await import('../dist/user-code/time-limit.js');
  const limit = { ms: 5000, setting: 'defaults.code_timeout' };
  const parameters = ['output', 'vars', 'expected', 'context'];
  const body = "'use strict';\nreturn (\noutput.length < 100\n);";
  const direct = new Function(...parameters, body);
  const checks = new CheckWorker(limit);
  const inWorker = checks.define({ parameters, body }, 'check');
  const argsOf = (i) => [
    `The answer is ${i}.`,
    { question: `What is ${i} + 1?` },
    String(i + 1),
    {
      task: { id: `t${i}`, vars: { question: `What is ${i} + 1?` } },
      latencyMs: 3,
      usage: {},
      costUsd: 0,
      prompt: [],
    },
  ];
  const ways = {
    'direct call (no limit)': async (i) => direct(...argsOf(i)),
    'check worker': (i) => inWorker(...argsOf(i)),
    'vm watchdog (modules)': async (i) => callWithin('check', () => direct(...argsOf(i)), limit),
  };
  const measure = async (call) => {
    let next = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < COUNT) await call(next++);
      }),
    );
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
  };
  console.log(`${COUNT} calls, 50 in flight; per call: wall, CPU (median of 5, after a warm-up)`);
  for (const [name, call] of Object.entries(ways)) {
    await measure(call);
    const samples = [];
    for (let round = 0; round < 5; round++) samples.push(await measure(call));
    const perCall = (key) =>
      `${((median(samples.map((sample) => sample[key])) * 1000) / COUNT).toFixed(1)} µs`;
    console.log(`  ${name.padEnd(24)} wall ${perCall('wallMs')}, CPU ${perCall('cpuMs')}`);
  }
  checks.close();
}

const args = parseArgs(process.argv.slice(2));
if (args.calls) {
  await measureCalls();
  process.exit(0);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-user-code-'));
const mock = await startMock(args.builds[0]);
try {
  writeProject(dir, args.kind);
  console.log(`user code "${args.kind}": ${COUNT} tasks, concurrency 50, mock ${mock.url}`);
  for (const build of args.builds) await timeRun(build, dir, mock.url); // warm-up (code caches, page cache)
  const times = new Map(args.builds.map((build) => [build, []]));
  for (let round = 0; round < args.rounds; round++) {
    const order = round % 2 === 0 ? args.builds : [...args.builds].reverse();
    for (const build of order) {
      const time = await timeRun(build, dir, mock.url);
      times.get(build).push(time);
      const cpu = time.cpuMs === null ? '' : `, CPU ${seconds(time.cpuMs)}`;
      console.log(`  ${build}: wall ${seconds(time.wallMs)}${cpu}`);
    }
  }
  const summary = (values) =>
    `median ${seconds(median(values))}, range ${seconds(Math.min(...values))}–${seconds(Math.max(...values))}`;
  for (const [build, runs] of times) {
    const cpu = runs.every((run) => run.cpuMs !== null)
      ? `; CPU ${summary(runs.map((run) => run.cpuMs))}`
      : '';
    console.log(`${build} (${runs.length} runs): wall ${summary(runs.map((run) => run.wallMs))}${cpu}`);
  }
} finally {
  mock.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
