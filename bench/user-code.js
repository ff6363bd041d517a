#!/usr/bin/env node
// What user code costs a run: 10,000 tasks against the mock at 0 ms (concurrency 50, no cache), each
// scored by one piece of the project's own code, timed from spawn to exit. Builds are run in
// alternation (A B B A A B…) so a machine that slows down mid-way weighs on both alike.
//
//   node bench/user-code.js --kind inline                      # this checkout's build only
//   node bench/user-code.js --kind scorer --build /tmp/old --build . --rounds 3
//
// Kinds: inline (a `javascript` assertion `output.length < 100`), scorer (a defineScorer module),
// filter (a custom template filter in the prompt), none (an `equals` assertion: no user code).
// Each --build is a directory holding a built Assay (bin/assay.js; run `npm run build` there).
// Prints every run's wall time, then each build's median and range.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { expectedAnswer, question } from './workload.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = 10_000;
const KINDS = ['inline', 'scorer', 'filter', 'none'];

function parseArgs(argv) {
  const args = { kind: 'inline', builds: [], rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--kind') args.kind = argv[++i];
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

function timeRun(build, dir, mockUrl) {
  const env = {
    ...process.env,
    OPENAI_API_KEY: 'bench-key',
    OPENAI_BASE_URL: `${mockUrl}/v1`,
    ASSAY_DB: path.join(dir, `assay-${path.basename(build)}.db`),
    NO_COLOR: '1',
  };
  const args = [path.join(build, 'bin', 'assay.js'), 'run', '--no-cache', '--progress', 'none', '--json'];
  const start = performance.now();
  const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const ms = performance.now() - start;
      if (code === 0 || code === 1) resolve(ms);
      else reject(new Error(`assay run exited with ${code}:\n${stderr}`));
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

const args = parseArgs(process.argv.slice(2));
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
      const ms = await timeRun(build, dir, mock.url);
      times.get(build).push(ms);
      console.log(`  ${build}: ${seconds(ms)}`);
    }
  }
  for (const [build, values] of times) {
    console.log(
      `${build}: median ${seconds(median(values))}, range ${seconds(Math.min(...values))}–${seconds(Math.max(...values))} (${values.length} runs)`,
    );
  }
} finally {
  mock.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
