#!/usr/bin/env node
// The adversarial set of issue 11, re-run against this checkout's build (run `npm run build` first;
// not part of `npm test`): a hostile user's attacks, each with the figure that says it held.
//
//   node bench/adversarial.js                 # every group
//   node bench/adversarial.js --only bad-input,secrets
//
// Groups: kill (kill -9 ×10 mid-run, then --resume), concurrent (two --resume at once), secrets
// (canaries through headers, a base_url query and the API key, echoed back by a hostile server),
// templates (escape payloads), scorer (a javascript check that never returns), bad-input (each bad
// input with the exit code it gets). Prints one table per group. Exits 0 when every case held, 1
// otherwise. A full disk (a 1 MB tmpfs) and a read-only file (read as `nobody`) need root; without
// it those cases say so instead of running.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'assay.js');
const GROUPS = ['kill', 'concurrent', 'secrets', 'templates', 'scorer', 'bad-input'];
/** Longest any one command may take; past it the command is killed and reported as a hang. */
const COMMAND_TIMEOUT_MS = 60_000;
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534 };

const { startMockServer } = await import(path.join(ROOT, 'dist', 'mock', 'server.js')).catch(() => {
  throw new Error('no build: run `npm run build` first');
});

const tempDirs = new Set();
const children = new Set();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// Helpers

function tempDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `assay-adversarial-${label}-`));
  tempDirs.add(dir);
  return dir;
}

/** A project folder holding `files` (name → text or bytes). */
function project(label, files) {
  const dir = tempDir(label);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function start(args, { cwd, env = {}, user } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user ?? {}),
  });
  children.add(child);
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, COMMAND_TIMEOUT_MS);
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, timedOut });
    });
  });
  return { child, done, stderr: () => stderr };
}

const cli = (args, options) => start(args, options).done;

async function waitFor(check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const CONFIG = (tasks = 'tasks.jsonl', extra = '') => `prompts: [q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0, max_tokens: 32 }
tasks: [${tasks}]
${extra}`;

function arithmetic(count) {
  const lines = [];
  for (let index = 1; index <= count; index++) {
    lines.push(
      JSON.stringify({
        id: `t${index}`,
        vars: { question: `What is ${index} + 1000?` },
        expected: String(index + 1000),
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

function mockEnv(mock, dir) {
  return {
    OPENAI_API_KEY: 'sk-test-adversarial',
    OPENAI_BASE_URL: `${mock.url}/v1`,
    ASSAY_DB: path.join(dir, '.assay', 'assay.db'),
  };
}

const questionOf = (entry) => entry.body?.messages?.at(-1)?.content?.trim() ?? '';

/** Calls per question among journal entries. */
function callCounts(entries) {
  const counts = new Map();
  for (const entry of entries) counts.set(questionOf(entry), (counts.get(questionOf(entry)) ?? 0) + 1);
  return counts;
}

async function resultsOf(dir, env, run = 'latest') {
  const result = await cli(['results', '--run', run, '--json'], { cwd: dir, env });
  return JSON.parse(result.stdout);
}

function renderTable(title, header, rows) {
  const widths = header.map((cell, index) =>
    rows.reduce((width, row) => Math.max(width, String(row[index]).length), cell.length),
  );
  const line = (cells) =>
    cells
      .map((cell, index) => String(cell).padEnd(widths[index]))
      .join('  ')
      .trimEnd();
  return [
    `\n${title}`,
    line(header),
    widths.map((width) => '─'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

const firstLine = (text, max = 110) => {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------------
// kill -9 ×10 mid-run, then --resume

async function killGroup() {
  const TASKS = 600;
  const KILLS = 10;
  const mock = await startMockServer({ port: 0, latencyMs: 40 });
  const dir = project('kill', {
    'assay.yaml': CONFIG('tasks.jsonl', 'defaults: { concurrency: 4 }\n'),
    'q.njk': '{{ question }}',
    'tasks.jsonl': arithmetic(TASKS),
  });
  const env = mockEnv(mock, dir);
  let runId;
  let kills = 0;
  let recalled = 0;
  /** After each kill: the items committed by then, and how many calls the mock had seen. */
  const marks = [];
  try {
    for (let cycle = 0; cycle < KILLS; cycle++) {
      const args = runId
        ? ['run', '--resume', runId, '--no-cache', '--progress', 'lines']
        : ['run', '--no-cache', '--progress', 'lines'];
      const running = start(args, { cwd: dir, env });
      const passes = () => (running.stderr().match(/PASS|FAIL/g) ?? []).length;
      await waitFor(() => passes() >= 12 || running.child.exitCode !== null);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      if (running.child.exitCode !== null) break;
      running.child.kill('SIGKILL');
      await running.done;
      kills++;
      const partial = await resultsOf(dir, env, runId ?? 'latest');
      runId = partial.run.id;
      // What was committed before this kill must never be called again.
      const committed = new Set(partial.results.map((result) => `What is ${result.taskId.slice(1)} + 1000?`));
      marks.push({ committed, mark: mock.journal().length });
    }
    const final = await cli(['run', '--resume', runId, '--no-cache', '--json'], { cwd: dir, env });
    const report = JSON.parse(final.stdout);
    const journal = mock.journal();
    for (const { committed, mark } of marks) {
      for (const entry of journal.slice(mark)) if (committed.has(questionOf(entry))) recalled++;
    }
    const items = report.results.length;
    const unique = new Set(report.results.map((result) => result.itemId)).size;
    const calls = journal.length;
    const held = final.code === 0 && items === TASKS && unique === TASKS && recalled === 0;
    return {
      held,
      text: renderTable(
        'kill -9 mid-run, then --resume',
        ['figure', 'value'],
        [
          ['kills', kills],
          ['items planned', TASKS],
          ['results after the last --resume', `${items} (${unique} distinct items)`],
          ['calls made', calls],
          [
            'calls repaid (made twice)',
            `${calls - TASKS} in all, ${((calls - TASKS) / Math.max(kills, 1)).toFixed(1)} per kill`,
          ],
          ['stored items called again', recalled],
          ['held', held ? 'yes' : 'NO'],
        ],
      ),
    };
  } finally {
    await mock.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Two --resume of one run at once

async function concurrentGroup() {
  const TASKS = 300;
  const mock = await startMockServer({ port: 0, latencyMs: 40 });
  const dir = project('concurrent', {
    'assay.yaml': CONFIG('tasks.jsonl', 'defaults: { concurrency: 4 }\n'),
    'q.njk': '{{ question }}',
    'tasks.jsonl': arithmetic(TASKS),
  });
  const env = mockEnv(mock, dir);
  try {
    const first = start(['run', '--no-cache', '--progress', 'lines'], { cwd: dir, env });
    await waitFor(() => (first.stderr().match(/PASS|FAIL/g) ?? []).length >= 20);
    first.child.kill('SIGKILL');
    await first.done;
    const { run } = await resultsOf(dir, env);
    const mark = mock.journal().length;
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        cli(['run', '--resume', run.id, '--no-cache', '--progress', 'none'], { cwd: dir, env }),
      ),
    );
    const refused = [a, b].filter((result) => result.code === 2);
    const finished = [a, b].filter((result) => result.code === 0 || result.code === 1);
    const doubled = [...callCounts(mock.journal().slice(mark)).values()].filter((count) => count > 1).length;
    const after = await resultsOf(dir, env, run.id);
    const held =
      refused.length === 1 && finished.length === 1 && doubled === 0 && after.results.length === TASKS;
    return {
      held,
      text: renderTable(
        'two --resume of one run at once',
        ['figure', 'value'],
        [
          ['exit codes', `${a.code} and ${b.code}`],
          ['refused with', firstLine(refused[0]?.stderr ?? '(none refused)')],
          ['items called twice after the kill', doubled],
          ['results', `${after.results.length} of ${TASKS}`],
          ['held', held ? 'yes' : 'NO'],
        ],
      ),
    };
  } finally {
    await mock.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Secrets: canaries through every path, echoed back by a hostile server

const CANARIES = {
  header: 'canary-gateway-7c1e9a40b2d35f68',
  query: 'canary-query-95a7e3c08d1b24f6',
  'api key': 'canary-apikey-1f2e3d4c5b6a7980',
};

/** An OpenAI-compatible server that echoes every header and the URL in error bodies and in usage. */
function hostileServer(seen) {
  return createServer((request, response) => {
    seen.push(`${request.url} ${JSON.stringify(request.headers)}`);
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const content = JSON.parse(body || '{}').messages?.at(-1)?.content ?? '';
      const echo = { url: request.url, headers: request.headers };
      response.setHeader('content-type', 'application/json');
      if (content.includes('fail')) {
        response.statusCode = 400;
        response.end(JSON.stringify({ error: { message: `bad request from ${JSON.stringify(echo)}` } }));
        return;
      }
      response.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          model: 'm',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: `ok, your token is ${request.headers['x-gateway-token']}`,
              },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, echoed: echo },
        }),
      );
    });
  });
}

async function secretsGroup() {
  const seen = [];
  const server = hostileServer(seen);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}/v1`;
  const dir = project('secrets', {
    'assay.yaml': [
      'prompts: [ask.njk]',
      'tasks: [t.yaml]',
      'targets:',
      '  - id: openai-compatible:m',
      '    label: team-a',
      '    base_url: "${BASE}?key=${QUERY_KEY}"',
      '    api_key_env: TEST_API_KEY',
      '    headers: { x-gateway-token: "${GATEWAY_TOKEN}" }',
      '    config: { temperature: 0 }',
      '',
    ].join('\n'),
    'ask.njk': '{{ q }}',
    't.yaml':
      '- id: hello\n  vars: { q: "say hello" }\n  assert: [{ type: contains, value: ok }]\n- id: broken\n  vars: { q: "please fail" }\n',
  });
  const env = {
    BASE: base,
    QUERY_KEY: CANARIES.query,
    GATEWAY_TOKEN: CANARIES.header,
    TEST_API_KEY: CANARIES['api key'],
    ASSAY_DB: path.join(dir, '.assay', 'assay.db'),
  };
  const commands = [
    ['run', '--json', '--progress', 'none'],
    ['run', '--json', '--progress', 'none'],
    ['results', '--json'],
    ['results'],
    ['runs'],
    ['show', 'latest', 'broken'],
    ['show', 'latest', 'hello', '--json'],
    ...['json', 'jsonl', 'csv', 'junit', 'markdown', 'html'].map((format) => [
      'export',
      'latest',
      '--format',
      format,
    ]),
    ['providers', 'test', 'team-a'],
    ['providers', 'test', 'team-a', '--json'],
    ['cache', 'stats'],
  ];
  try {
    let printed = '';
    for (const args of commands) {
      const result = await cli(args, { cwd: dir, env });
      printed += `${result.stdout}${result.stderr}`;
    }
    const stored = fs
      .readdirSync(path.join(dir, '.assay'))
      .map((file) => fs.readFileSync(path.join(dir, '.assay', file)));
    const rows = [];
    let total = 0;
    for (const [path_, value] of Object.entries(CANARIES)) {
      const forms = [value, encodeURIComponent(value), Buffer.from(value).toString('base64').slice(0, 20)];
      const inOutput = forms.reduce((sum, form) => sum + printed.split(form).length - 1, 0);
      const inStore = stored.reduce(
        (sum, bytes) => sum + forms.filter((form) => bytes.includes(form)).length,
        0,
      );
      total += inOutput + inStore;
      rows.push([path_, inOutput, inStore]);
    }
    // The canaries were sent (so 0 hits means they were kept out, not that nothing ran).
    const carried = seen.filter((request) =>
      Object.values(CANARIES).every((value) => request.includes(value)),
    ).length;
    return {
      held: total === 0 && carried > 0,
      text: renderTable(
        `secrets echoed by a hostile server (${carried} of its ${seen.length} requests carried every canary): canary hits in ${commands.length} commands' output and the database files`,
        ['secret path', 'hits in output', 'hits in database files'],
        rows,
      ),
    };
  } finally {
    server.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Template escapes: each tries to read /etc/passwd and send it to the provider

const READ = `"return process.mainModule.require('fs').readFileSync('/etc/passwd', 'utf8')"`;
/** [name, template] pairs (an object literal would take `__proto__` as its prototype). */
const ESCAPES = [
  ['range.constructor', `{{ range.constructor(${READ})() }}`],
  ['subscript ["constructor"]', `{{ range["constructor"](${READ})() }}`],
  ['cycler.constructor', `{{ cycler.constructor(${READ})() }}`],
  ['joiner()["constructor"]', `{{ joiner()["constructor"](${READ})() }}`],
  ['string literal', `{{ "".constructor.constructor(${READ})() }}`],
  ['array literal', `{{ [].constructor.constructor(${READ})() }}`],
  ['method of a variable', `{{ question.toUpperCase.constructor(${READ})() }}`],
  ['key built with set', `{% set key = "constr" + "uctor" %}{{ range[key](${READ})() }}`],
  ['function kept with set', `{% set make = range.constructor %}{{ make(${READ})() }}`],
  ['key from task data', `{{ range[field](${READ})() }}`],
  ['macro.constructor', `{% macro m() %}{% endmacro %}{{ m.constructor(${READ})() }}`],
  [
    'caller.constructor',
    `{% macro m() %}{{ caller.constructor(${READ})() }}{% endmacro %}{% call m() %}x{% endcall %}`,
  ],
  ['__proto__', '{{ question.__proto__ }}'],
  ['valueOf().env', '{{ valueOf().env }}'],
  ['filter result', `{{ (range | default(1)).constructor(${READ})() }}`],
];

async function templatesGroup() {
  const mock = await startMockServer({ port: 0 });
  const rows = [];
  let held = true;
  try {
    for (const [name, template] of ESCAPES) {
      const dir = project('template', {
        'assay.yaml': CONFIG('tasks.jsonl'),
        'q.njk': template,
        'tasks.jsonl': `${JSON.stringify({ id: 't1', vars: { question: 'hi', field: 'constructor' } })}\n`,
      });
      mock.reset();
      const result = await cli(['run', '--progress', 'none'], { cwd: dir, env: mockEnv(mock, dir) });
      const leaked = mock.journal().filter((entry) => JSON.stringify(entry.body).includes('root:')).length;
      const refused = result.code === 2 && /is not allowed in a template/.test(result.stderr);
      if (!refused || leaked > 0) held = false;
      rows.push([name, result.code, refused ? 'refused' : 'NOT REFUSED', leaked]);
    }
  } finally {
    await mock.close();
  }
  return {
    held,
    text: renderTable(
      `template escape payloads: ${rows.filter((row) => row[2] === 'refused').length}/${rows.length} refused`,
      ['payload', 'exit', 'outcome', 'requests carrying /etc/passwd'],
      rows,
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// A javascript scorer that never returns

async function scorerGroup() {
  const mock = await startMockServer({ port: 0 });
  const dir = project('scorer', {
    'assay.yaml': CONFIG('tasks.yaml', 'defaults: { code_timeout: 1s }\n'),
    'q.njk': '{{ question }}',
    'tasks.yaml':
      '- id: spin\n  vars: { question: "What is 1 + 1000?" }\n  assert:\n    - { type: javascript, value: "while (true) {}" }\n    - { type: contains, value: "1001" }\n',
  });
  try {
    const result = await cli(['run', '--json', '--progress', 'none'], { cwd: dir, env: mockEnv(mock, dir) });
    const report = result.stdout ? JSON.parse(result.stdout) : { results: [] };
    const reason = report.results[0]?.scores?.[0]?.reason ?? '(no result)';
    const held =
      !result.timedOut &&
      result.code === 1 &&
      report.run?.status === 'completed' &&
      reason.startsWith('scorer error');
    return {
      held,
      text: renderTable(
        'a javascript scorer `while (true) {}` (code_timeout 1s)',
        ['figure', 'value'],
        [
          ['exit code', result.timedOut ? 'hang (killed)' : result.code],
          ['run status', report.run?.status ?? '-'],
          ['run time', seconds(result.ms)],
          ['the check', firstLine(reason)],
          ['held', held ? 'yes' : 'NO'],
        ],
      ),
    };
  } finally {
    await mock.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Bad input: each case, the exit code it gets and its message

/** An alias bomb: ten levels of nine aliases, a billion values from a dozen lines. */
function aliasBomb(indent) {
  const lines = [`${indent}a0: &a0 [x, x, x, x, x, x, x, x, x]`];
  for (let level = 1; level < 10; level++)
    lines.push(
      `${indent}a${level}: &a${level} [${Array(9)
        .fill(`*a${level - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

function canMount() {
  if (!IS_ROOT) return false;
  const probe = tempDir('mount-probe');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  }
}

async function badInputGroup() {
  const mock = await startMockServer({ port: 0 });
  /** A project with one finished run. */
  const withRun = async (label, files = {}) => {
    const dir = project(label, {
      'assay.yaml': CONFIG(),
      'q.njk': '{{ question }}',
      'tasks.jsonl': arithmetic(3),
      ...files,
    });
    const env = mockEnv(mock, dir);
    await cli(['run', '--progress', 'none'], { cwd: dir, env });
    return { dir, env };
  };
  const cases = [];
  const add = (name, expected, run) => cases.push({ name, expected, run });

  add('tasks add --to ../../outside.yaml', 2, async () => {
    const { dir, env } = await withRun('outside');
    fs.writeFileSync(path.join(dir, 'new.json'), '[{"id": "x1", "vars": {"question": "q"}}]');
    const result = await cli(['tasks', 'add', '--from-file', 'new.json', '--to', '../../outside.yaml'], {
      cwd: dir,
      env,
    });
    return {
      result,
      note: fs.existsSync(path.resolve(dir, '../../outside.yaml')) ? 'WROTE OUTSIDE' : 'nothing written',
    };
  });
  add('tasks add --to /tmp/absolute.yaml', 2, async () => {
    const { dir, env } = await withRun('absolute');
    fs.writeFileSync(path.join(dir, 'new.json'), '[{"id": "x1", "vars": {"question": "q"}}]');
    const target = path.join(os.tmpdir(), `assay-adversarial-absolute-${process.pid}.yaml`);
    const result = await cli(['tasks', 'add', '--from-file', 'new.json', '--to', target], { cwd: dir, env });
    const wrote = fs.existsSync(target);
    fs.rmSync(target, { force: true });
    return { result, note: wrote ? 'WROTE OUTSIDE' : 'nothing written' };
  });
  add('tasks add --to a symlink leading out', 2, async () => {
    const { dir, env } = await withRun('symlink');
    const outside = tempDir('symlink-target');
    fs.symlinkSync(outside, path.join(dir, 'link'));
    fs.writeFileSync(path.join(dir, 'new.json'), '[{"id": "x1", "vars": {"question": "q"}}]');
    const result = await cli(['tasks', 'add', '--from-file', 'new.json', '--to', 'link/x.yaml'], {
      cwd: dir,
      env,
    });
    return { result, note: fs.readdirSync(outside).length > 0 ? 'WROTE OUTSIDE' : 'nothing written' };
  });
  add('export -o /proc/nope/x.html', 2, async () => {
    const { dir, env } = await withRun('proc-export');
    return {
      result: await cli(['export', 'latest', '-f', 'html', '-o', '/proc/nope/x.html'], { cwd: dir, env }),
    };
  });
  add('runs --db /proc/nope/x.db', 2, async () => {
    const { dir } = await withRun('proc-db');
    return { result: await cli(['runs', '--db', '/proc/nope/x.db'], { cwd: dir }) };
  });
  add('export -o /etc/passwd/x', 2, async () => {
    const { dir, env } = await withRun('enotdir');
    return { result: await cli(['export', 'latest', '-f', 'csv', '-o', '/etc/passwd/x'], { cwd: dir, env }) };
  });
  add('tasks list on 200,000 tasks', 0, async () => {
    const lines = [];
    for (let index = 0; index < 200_000; index++)
      lines.push(`{"id":"t${index}","vars":{"question":"q${index}"}}`);
    const dir = project('big', {
      'assay.yaml': CONFIG(),
      'q.njk': '{{ question }}',
      'tasks.jsonl': `${lines.join('\n')}\n`,
    });
    const result = await cli(['tasks', 'list'], { cwd: dir, env: mockEnv(mock, dir) });
    return { result, note: firstLine(result.stdout.trimEnd().split('\n').at(-1) ?? '') };
  });
  add('run --repeat 100000000', 2, async () => {
    const { dir, env } = await withRun('repeat');
    return { result: await cli(['run', '--repeat', '100000000'], { cwd: dir, env }) };
  });
  add('YAML alias bomb in a task file', 2, async () => {
    const dir = project('bomb-task', {
      'assay.yaml': CONFIG('tasks.yaml'),
      'q.njk': '{{ question }}',
      'tasks.yaml': `- id: b\n  vars:\n${aliasBomb('    ')}`,
    });
    return { result: await cli(['run'], { cwd: dir, env: mockEnv(mock, dir) }) };
  });
  add('YAML alias bomb in assay.yaml', 2, async () => {
    const dir = project('bomb-config', {
      'assay.yaml': `${CONFIG()}x:\n${aliasBomb('  ')}`,
      'q.njk': '{{ question }}',
      'tasks.jsonl': arithmetic(1),
    });
    return { result: await cli(['run'], { cwd: dir, env: mockEnv(mock, dir) }) };
  });
  add('a database from another program', 2, async () => {
    const { dir, env } = await withRun('other-db');
    const other = path.join(dir, 'other.db');
    execFileSync(process.execPath, [
      '-e',
      `new (require(${JSON.stringify(path.join(ROOT, 'node_modules', 'better-sqlite3'))}))(${JSON.stringify(other)}).exec('create table results (x)')`,
    ]);
    return { result: await cli(['runs', '--db', other], { cwd: dir, env }) };
  });
  add('a full disk (1 MB tmpfs) under the database', 3, async () => {
    if (!canMount()) return { skipped: 'needs root to mount a tmpfs' };
    const { dir, env } = await withRun('full-disk');
    const disk = path.join(dir, 'disk');
    fs.mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    try {
      const database = path.join(disk, 'assay.db');
      await cli(['db', 'copy', '--to', database], { cwd: dir, env });
      const { bavail, bsize } = fs.statfsSync(disk);
      fs.writeFileSync(path.join(disk, 'fill'), Buffer.alloc(bavail * bsize - 48 * 1024));
      return {
        result: await cli(['run', '--no-cache', '--repeat', '300', '--progress', 'none'], {
          cwd: dir,
          env: { ...env, ASSAY_DB: database },
        }),
      };
    } finally {
      execFileSync('umount', [disk]);
    }
  });
  add('show --repeat abc', 2, async () => {
    const { dir, env } = await withRun('show-repeat');
    return { result: await cli(['show', 'latest', 't1', '--repeat', 'abc'], { cwd: dir, env }) };
  });
  add('invalid UTF-8 in a task file', 2, async () => {
    const dir = project('utf8-task', {
      'assay.yaml': CONFIG(),
      'q.njk': '{{ question }}',
      'tasks.jsonl': Buffer.from(
        '{"id":"a","vars":{"question":"ok"}}\n{"id":"b","vars":{"question":"caf\xe9"}}\n',
        'latin1',
      ),
    });
    mock.reset();
    const result = await cli(['run'], { cwd: dir, env: mockEnv(mock, dir) });
    return { result, note: `${mock.journal().length} requests sent` };
  });
  add('invalid UTF-8 in a prompt file', 2, async () => {
    const dir = project('utf8-prompt', {
      'assay.yaml': CONFIG(),
      'q.njk': Buffer.from('Question:\n{{ question }} \xbf?\n', 'latin1'),
      'tasks.jsonl': arithmetic(1),
    });
    mock.reset();
    const result = await cli(['run'], { cwd: dir, env: mockEnv(mock, dir) });
    return { result, note: `${mock.journal().length} requests sent` };
  });
  add('a binary YAML task file', 2, async () => {
    const binary = Buffer.concat([
      Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'),
      fs.readFileSync(process.execPath).subarray(0, 3800),
    ]);
    const dir = project('binary', {
      'assay.yaml': CONFIG('tasks.yaml'),
      'q.njk': '{{ question }}',
      'tasks.yaml': binary,
    });
    const result = await cli(['run'], { cwd: dir, env: mockEnv(mock, dir) });
    return { result, note: `${Buffer.byteLength(result.stderr)} bytes on stderr` };
  });
  for (const command of [
    ['runs'],
    ['results'],
    ['show', 'latest', 't1'],
    ['export', 'latest', '-f', 'csv'],
    ['compare', 'latest', 'latest'],
    ['history'],
    ['costs'],
    ['cache', 'stats'],
  ]) {
    add(`${command.join(' ')} on a read-only database file`, 0, async () => {
      const { dir, env } = await withRun('read-only');
      const database = env.ASSAY_DB;
      fs.chmodSync(dir, 0o755);
      fs.chmodSync(path.dirname(database), 0o777);
      fs.chmodSync(database, 0o444);
      // Root ignores file modes: read as nobody then.
      const result = await cli(command, {
        cwd: dir,
        env: { ASSAY_DB: database },
        ...(IS_ROOT ? { user: NOBODY } : {}),
      });
      return { result, note: IS_ROOT ? 'as nobody' : '' };
    });
  }
  add('results with a ${VAR} only targets use unset', 0, async () => {
    const { dir, env } = await withRun('target-var');
    fs.writeFileSync(
      path.join(dir, 'assay.yaml'),
      CONFIG().replace('    config:', '    headers: { x-token: "${GATEWAY_TOKEN}" }\n    config:'),
    );
    return { result: await cli(['results'], { cwd: dir, env: { ASSAY_DB: env.ASSAY_DB } }) };
  });
  add('tasks list with a ${VAR} only targets use unset', 0, async () => {
    const { dir, env } = await withRun('target-var-tasks');
    fs.writeFileSync(
      path.join(dir, 'assay.yaml'),
      CONFIG().replace('    config:', '    headers: { x-token: "${GATEWAY_TOKEN}" }\n    config:'),
    );
    return { result: await cli(['tasks', 'list'], { cwd: dir, env: { ASSAY_DB: env.ASSAY_DB } }) };
  });
  add('show of model output with escape sequences', 0, async () => {
    const hostile = 'hi \u001b[31mRED\u001b]0;pwned\u0007 \r\nnext \u009b2J';
    const { dir, env } = await withRun('escapes', {
      'tasks.jsonl': `${JSON.stringify({ id: 'e1', vars: { question: hostile } })}\n`,
    });
    const result = await cli(['show', 'latest', 'e1'], { cwd: dir, env });
    const control = (result.stdout.match(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g) ?? []).length;
    return { result, note: `${control} control characters printed`, failed: control > 0 };
  });

  const rows = [];
  let held = true;
  try {
    for (const { name, expected, run } of cases) {
      const outcome = await run();
      if (outcome.skipped) {
        rows.push([name, expected, '-', '-', `not run: ${outcome.skipped}`]);
        continue;
      }
      const { result, note = '', failed = false } = outcome;
      const stackTrace = /\n\s+at /.test(result.stderr);
      const got = result.timedOut ? 'hang' : result.code;
      const ok = got === expected && !stackTrace && !failed && !/WROTE OUTSIDE/.test(note);
      if (!ok) held = false;
      const message =
        result.code === 0 ? note : [firstLine(result.stderr, 90), note].filter(Boolean).join(' · ');
      rows.push([name, expected, ok ? got : `${got} ✗`, seconds(result.ms), message]);
    }
  } finally {
    await mock.close();
  }
  return {
    held,
    text: renderTable(
      'bad input: the exit code each gets (2 bad input, 3 the machine), and its message',
      ['case', 'expected', 'exit', 'time', 'message'],
      rows,
    ),
  };
}

// ---------------------------------------------------------------------------------------------------

const RUNNERS = {
  kill: killGroup,
  concurrent: concurrentGroup,
  secrets: secretsGroup,
  templates: templatesGroup,
  scorer: scorerGroup,
  'bad-input': badInputGroup,
};

function parseArgs(argv) {
  if (argv.length === 0) return GROUPS;
  if (argv[0] !== '--only' || !argv[1])
    throw new Error(`usage: node bench/adversarial.js [--only ${GROUPS.join(',')}]`);
  const groups = argv[1].split(',');
  for (const group of groups)
    if (!GROUPS.includes(group)) throw new Error(`unknown group "${group}"; groups: ${GROUPS.join(', ')}`);
  return groups;
}

const groups = parseArgs(process.argv.slice(2));
let allHeld = true;
for (const group of groups) {
  const started = performance.now();
  const { held, text } = await RUNNERS[group]();
  allHeld &&= held;
  process.stdout.write(`${text}\n(${group}: ${seconds(performance.now() - started)})\n`);
}
process.stdout.write(`\n${allHeld ? 'every case held' : 'SOME CASES DID NOT HOLD'}\n`);
process.exit(allHeld ? 0 : 1);
