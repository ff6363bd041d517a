import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { makeProject, mockEnv, parseReport, runCli, startCli, waitFor } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const SECRET = 'sk-test-very-secret-abcdef123456';

function env(dir: string): Record<string, string> {
  return mockEnv(mock.url, dir, SECRET);
}

const VALID = `prompts: [prompts/q.njk]
targets: [openai:gpt-4o-mini]
tasks:
  - { id: a, vars: { question: "What is 1 + 1?" }, expected: "2" }
`;

async function expectUsageError(
  files: Record<string, string>,
  pattern: RegExp,
  extraEnv: Record<string, string> = {},
) {
  const { dir, cleanup } = await makeProject({ 'prompts/q.njk': '{{ question }}', ...files });
  try {
    const result = await runCli(['run'], { cwd: dir, env: { ...env(dir), ...extraEnv } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).toMatch(/fix: /);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stdout).toBe('');
    return result.stderr;
  } finally {
    await cleanup();
  }
}

describe('config errors: one message with the place and a fix, exit 2', () => {
  it('malformed YAML names the line and column', async () => {
    await expectUsageError(
      { 'assay.yaml': 'prompts: [prompts/q.njk\ntargets: [echo]\n' },
      /assay\.yaml:\d+:\d+: invalid YAML/,
    );
  });

  it('an unknown key is named with its line', async () => {
    const stderr = await expectUsageError(
      { 'assay.yaml': `${VALID}taregts: []\n` },
      /assay\.yaml:5:1: .*taregts/,
    );
    expect(stderr).toMatch(/check the spelling/);
  });

  it('a wrong type names the field', async () => {
    await expectUsageError(
      { 'assay.yaml': `${VALID}defaults:\n  concurrency: many\n` },
      /assay\.yaml:6:3: invalid config: defaults\.concurrency: .*number/,
    );
  });

  it('an unknown provider lists the known ones', async () => {
    await expectUsageError(
      { 'assay.yaml': VALID.replace('openai:gpt-4o-mini', 'foo:bar') },
      /unknown provider "foo".*\n.*fix: use one of: openai/,
    );
  });

  it('a missing API key says which variable to set', async () => {
    await expectUsageError({ 'assay.yaml': VALID }, /OPENAI_API_KEY is not set/, { OPENAI_API_KEY: '' });
  });

  it('reports every missing API key in one message', async () => {
    const config = `prompts: [prompts/q.njk]
targets: [openai:gpt-4o-mini, anthropic:claude-3-5-haiku-latest, google:gemini-2.5-flash, echo]
tasks:
  - { id: a, vars: { question: "hi" } }
`;
    const stderr = await expectUsageError({ 'assay.yaml': config }, /3 API keys are not set: /, {
      OPENAI_API_KEY: '',
    });
    expect(stderr).toContain('OPENAI_API_KEY (needed by openai:gpt-4o-mini)');
    expect(stderr).toContain('ANTHROPIC_API_KEY (needed by anthropic:claude-3-5-haiku-latest)');
    expect(stderr).toContain('GEMINI_API_KEY or GOOGLE_API_KEY (needed by google:gemini-2.5-flash)');
  });

  it('a missing task file', async () => {
    await expectUsageError(
      { 'assay.yaml': VALID.replace(/tasks:[\s\S]*/, 'tasks: [tasks/nope.yaml]\n') },
      /no task file matches "tasks\/nope\.yaml"/,
    );
  });

  it('an invalid regex assertion is caught before any call', async () => {
    const yaml = VALID.replace('expected: "2" }', 'assert: [{ type: regex, value: "([a-z" }] }');
    await expectUsageError({ 'assay.yaml': yaml }, /regex|pattern/i);
  });

  it('an unknown scorer suggests the nearest name', async () => {
    const yaml = VALID.replace('expected: "2" }', 'assert: [{ type: contians, value: "2" }] }');
    await expectUsageError({ 'assay.yaml': yaml }, /contians[\s\S]*contains/);
  });

  it('a prompt using a variable the task lacks names the prompt file', async () => {
    await expectUsageError({ 'assay.yaml': VALID.replace('question:', 'other:') }, /q\.njk/);
  });

  it('an unknown suite lists the known ones', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `${VALID}suites:\n  critical: { tags: [x] }\n`,
      'prompts/q.njk': '{{ question }}',
    });
    try {
      const result = await runCli(['run', '--suite', 'nightly'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/unknown suite "nightly"[\s\S]*known suites: critical/);
    } finally {
      await cleanup();
    }
  });

  it('no config in the directory points at assay init', async () => {
    const { dir, cleanup } = await makeProject({});
    try {
      const result = await runCli(['run'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no assay\.yaml[\s\S]*assay init/);
    } finally {
      await cleanup();
    }
  });

  it('a bad flag value is a usage error', async () => {
    const { dir, cleanup } = await makeProject({ 'assay.yaml': VALID, 'prompts/q.njk': '{{ question }}' });
    try {
      const result = await runCli(['run', '-j', '0'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--concurrency must be a whole number from 1 up, got "0"/);
    } finally {
      await cleanup();
    }
  });
});

describe('secrets', () => {
  it('the API key reaches neither the database, the JSON report nor the output', async () => {
    const { dir, cleanup } = await makeProject({ 'assay.yaml': VALID, 'prompts/q.njk': '{{ question }}' });
    try {
      const result = await runCli(['run', '--json'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
      const database = await readFile(path.join(dir, '.assay', 'assay.db'));
      expect(database.includes(Buffer.from(SECRET))).toBe(false);
      // The key did go to the provider, as a bearer token.
      expect(mock.journal().some((entry) => entry.headers.authorization === `Bearer ${SECRET}`)).toBe(true);
    } finally {
      await cleanup();
    }
  });
});

describe('assay init', () => {
  it('scaffolds a project that runs green against the mock, and refuses to overwrite it', async () => {
    const { dir, cleanup } = await makeProject({});
    try {
      const created = await runCli(['init', 'my-evals'], { cwd: dir });
      expect(created.code).toBe(0);
      for (const file of [
        'assay.yaml',
        'prompts/answer.njk',
        'tasks/basics.yaml',
        '.env.example',
        '.gitignore',
        'assay.schema.json',
      ]) {
        await expect(readFile(path.join(dir, 'my-evals', file), 'utf8')).resolves.toBeTruthy();
      }
      const project = path.join(dir, 'my-evals');
      const run = await runCli(['run', '--json'], { cwd: project, env: env(project) });
      expect(run.code).toBe(0);
      expect(parseReport(run.stdout).summary).toMatchObject({ total: 3, passed: 3 });
      const again = await runCli(['init', 'my-evals'], { cwd: dir });
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already exists[\s\S]*--force/);
    } finally {
      await cleanup();
    }
  });
});

describe('other commands', () => {
  it('--version prints the package version; --help documents commands and exit codes', async () => {
    const version = await runCli(['--version'], { cwd: process.cwd() });
    const pkg = JSON.parse(await readFile(path.join(process.cwd(), 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await runCli(['--help'], { cwd: process.cwd() });
    expect(help.code).toBe(0);
    for (const command of ['run', 'results', 'init', 'mock-server', 'schema'])
      expect(help.stdout).toContain(command);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*3 {2}run aborted/);
    for (const command of ['run', 'results', 'init', 'mock-server', 'schema']) {
      const sub = await runCli([command, '--help'], { cwd: process.cwd() });
      expect(sub.stdout).toMatch(/Examples:/);
    }
  });

  it('schema prints the JSON Schema of assay.yaml', async () => {
    const result = await runCli(['schema'], { cwd: process.cwd() });
    const schema = JSON.parse(result.stdout) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['prompts', 'targets', 'tasks', 'suites', 'defaults']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['prompts', 'targets', 'tasks']));
  });

  it('mock-server --help names every dialect it speaks and where their base URLs are', async () => {
    const help = await runCli(['mock-server', '--help'], { cwd: process.cwd() });
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain('OpenAI wire format');
    for (const dialect of ['OpenAI', 'OpenRouter', 'Anthropic', 'Gemini', 'Ollama', 'docs/mock.md'])
      expect(help.stdout).toContain(dialect);
  });

  it('mock-server serves the OpenAI format until stopped', async () => {
    const { child, done } = startCli(['mock-server', '--port', '0'], { cwd: process.cwd() });
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    await waitFor(() => /listening on (http:\/\/\S+)/.test(stdout));
    const url = /listening on (http:\/\/\S+)/.exec(stdout)![1]!;
    await waitFor(() => stdout.includes('Anthropic, Gemini, Ollama base URL'));
    expect(stdout).toContain(`OpenAI base URL: ${url}/v1\n`);
    expect(stdout).toContain(`Anthropic, Gemini, Ollama base URL: ${url}\n`);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 6 * 7?' }] }),
    });
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]!.message.content).toBe('42');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('the store comes from ASSAY_DATABASE_URL or --db; an unknown scheme is refused without its password (exit 2)', async () => {
    const { dir, cleanup } = await makeProject({ 'assay.yaml': VALID, 'prompts/q.njk': '{{ question }}' });
    try {
      const { ASSAY_DB: _, ...base } = env(dir);
      const viaUrl = { ...base, ASSAY_DATABASE_URL: 'sqlite:team.db' };
      expect((await runCli(['run'], { cwd: dir, env: viaUrl })).code).toBe(0);
      const listed = await runCli(['runs', '--json', '--db', path.join(dir, 'team.db')], {
        cwd: dir,
        env: base,
      });
      expect(JSON.parse(listed.stdout)).toHaveLength(1);

      for (const args of [['runs', '--db', 'mysql://root:hunter2@db/evals'], ['run']]) {
        const refused = await runCli(args, {
          cwd: dir,
          env: { ...base, ASSAY_DATABASE_URL: 'mysql://root:hunter2@db/evals' },
        });
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(
          /unknown database URL scheme "mysql:" in mysql:\/\/root:\*\*\*@db\/evals/,
        );
        expect(refused.stderr).toMatch(/fix: give a file path or sqlite:<path> \(SQLite\), or postgres:\/\//);
        expect(refused.stderr).not.toContain('hunter2');
      }
    } finally {
      await cleanup();
    }
  });

  it('results without any run says so (exit 2)', async () => {
    const { dir, cleanup } = await makeProject({ 'assay.yaml': VALID, 'prompts/q.njk': '{{ question }}' });
    try {
      const result = await runCli(['results'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no run "latest"/);
    } finally {
      await cleanup();
    }
  });
});
