import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { findConfigFile, findStoreUrl, loadProject } from './load.js';

const SCHEMA_MODULE = fileURLToPath(new URL('./schema.ts', import.meta.url));

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `files` (relative path → content) into a fresh temporary project directory. */
async function writeProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'assay-config-'));
  directories.push(dir);
  await writeFiles(dir, files);
  return dir;
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

/** The UserError that loading the project at `cwd` throws. */
/** The UserError that loading the project at `cwd`, or reading its tasks (done lazily), throws. */
async function loadError(cwd: string, env: NodeJS.ProcessEnv = {}): Promise<UserError> {
  const error = await loadProject({ cwd, env })
    .then((project) => project.taskSource.all())
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

const ANSWER_PROMPT = 'Answer briefly: {{ question }}\n';
const TUTOR_PROMPT = [
  '- role: system',
  '  content: You are a patient tutor.',
  '- role: user',
  '  content: "Explain: {{ question }}"',
  '',
].join('\n');
const MATH_TASKS = [
  '- id: add',
  '  vars: { question: "2 + 2" }',
  '  expected: "4"',
  '  tags: [math, critical]',
  '- id: mul',
  '  vars: { question: "3 * 3" }',
  '  expected: 9',
  '',
].join('\n');

const VALID_CONFIG = [
  'description: smoke suite',
  'prompts:',
  '  - prompts/*.njk',
  '  - prompts/tutor.yaml',
  'targets:',
  '  - echo',
  '  - id: openai-compatible:llama3',
  '    label: local',
  '    base_url: ${LOCAL_URL:-http://127.0.0.1:8000}/v1',
  '    prompts: [answer]',
  '    config: { temperature: 0, max_tokens: 32 }',
  '    timeout: 5s',
  'tasks:',
  '  - tasks/math.yaml',
  '  - id: inline',
  '    vars: { question: capital of France }',
  '    expected: Paris',
  'suites:',
  '  critical:',
  '    tags: [critical]',
  'defaults:',
  '  timeout: 20s',
  '',
].join('\n');

function validProject(overrides: Record<string, string> = {}): Promise<string> {
  return writeProject({
    'assay.yaml': VALID_CONFIG,
    'prompts/answer.njk': ANSWER_PROMPT,
    'prompts/tutor.yaml': TUTOR_PROMPT,
    'tasks/math.yaml': MATH_TASKS,
    ...overrides,
  });
}

describe('loadProject: a valid YAML project', () => {
  it('loads prompts, tasks, targets and defaults', async () => {
    const dir = await validProject();
    const project = await loadProject({ cwd: dir, env: {} });

    expect(project.configPath).toBe(path.join(dir, 'assay.yaml'));
    expect(project.baseDir).toBe(dir);
    expect(project.config.description).toBe('smoke suite');
    expect(project.prompts.map((prompt) => [prompt.name, prompt.kind, prompt.path])).toEqual([
      ['answer', 'text', path.join('prompts', 'answer.njk')],
      ['tutor', 'chat', path.join('prompts', 'tutor.yaml')],
    ]);
    expect(project.prompts[1]?.messages).toMatchObject([
      { role: 'system', content: 'You are a patient tutor.' },
      { role: 'user', content: 'Explain: {{ question }}' },
    ]);

    expect((await project.taskSource.all()).tasks.map((task) => task.id)).toEqual(['add', 'mul', 'inline']);
    expect((await project.taskSource.all()).tasks[0]).toMatchObject({
      vars: { question: '2 + 2' },
      expected: '4',
      tags: ['math', 'critical'],
      assert: [{ type: 'equals' }],
    });
    // A numeric `expected` becomes the string the scorers compare against.
    expect((await project.taskSource.all()).tasks[1]?.expected).toBe('9');
    expect((await project.taskSource.all()).filesByTask.get('add')).toBe(path.join('tasks', 'math.yaml'));
    expect((await project.taskSource.all()).filesByTask.has('inline')).toBe(false);

    expect(project.config.defaults).toMatchObject({ concurrency: 10, retries: 3, timeout: '20s', repeat: 1 });
    expect(project.databaseUrl).toBe(path.join(dir, '.assay', 'assay.db'));
  });

  it('names targets label/prompt when the project has several prompts', async () => {
    const dir = await validProject();
    const { targets } = await loadProject({ cwd: dir, env: {} });
    expect(targets.map((target) => target.name)).toEqual(['echo/answer', 'echo/tutor', 'local/answer']);
    const local = targets[2]!;
    expect(local).toMatchObject({
      providerId: 'openai-compatible:llama3',
      config: { temperature: 0, max_tokens: 32 },
      options: { base_url: 'http://127.0.0.1:8000/v1' },
      timeoutMs: 5000,
    });
    expect(local.prompt.name).toBe('answer');
    // Targets without their own timeout take defaults.timeout.
    expect(targets[0]?.timeoutMs).toBe(20_000);
  });

  it('names a target by its label alone when there is one prompt', async () => {
    const dir = await writeProject({
      'assay.yaml': 'prompts: [p.txt]\ntargets: [echo, {id: echo, label: mirror}]\ntasks: [{vars: {}}]\n',
      'p.txt': 'hello',
    });
    const { targets } = await loadProject({ cwd: dir, env: {} });
    expect(targets.map((target) => target.name)).toEqual(['echo', 'mirror']);
  });

  it('gives the same versions on every load of unchanged files', async () => {
    const dir = await validProject();
    const first = await loadProject({ cwd: dir, env: {} });
    const second = await loadProject({ cwd: dir, env: {} });
    expect(second.configHash).toBe(first.configHash);
    expect(second.prompts.map((prompt) => prompt.version)).toEqual(first.prompts.map((p) => p.version));
    expect((await second.taskSource.all()).tasks.map((task) => task.version)).toEqual(
      (await first.taskSource.all()).tasks.map((task) => task.version),
    );
    expect(second.targets.map((target) => target.version)).toEqual(first.targets.map((t) => t.version));
    expect(new Set(first.targets.map((target) => target.version)).size).toBe(3);
  });

  it('changes the prompt, target and config versions when a prompt file changes, and only those', async () => {
    const dir = await validProject();
    const before = await loadProject({ cwd: dir, env: {} });
    await writeFile(path.join(dir, 'prompts', 'answer.njk'), 'Answer in one word: {{ question }}\n');
    const after = await loadProject({ cwd: dir, env: {} });

    expect(after.prompts[0]?.version).not.toBe(before.prompts[0]?.version);
    expect(after.prompts[1]?.version).toBe(before.prompts[1]?.version);
    const versions = (project: typeof before) =>
      Object.fromEntries(project.targets.map((target) => [target.name, target.version]));
    expect(versions(after)['echo/answer']).not.toBe(versions(before)['echo/answer']);
    expect(versions(after)['local/answer']).not.toBe(versions(before)['local/answer']);
    expect(versions(after)['echo/tutor']).toBe(versions(before)['echo/tutor']);
    expect(after.configHash).not.toBe(before.configHash);
    expect((await after.taskSource.all()).tasks.map((task) => task.version)).toEqual(
      (await before.taskSource.all()).tasks.map((task) => task.version),
    );
  });

  it('changes a task version when its content changes, keeping the others', async () => {
    const dir = await validProject();
    const old = await loadProject({ cwd: dir, env: {} });
    const before = (await old.taskSource.all()).tasks;
    await writeFile(path.join(dir, 'tasks', 'math.yaml'), MATH_TASKS.replace('expected: 9', 'expected: 10'));
    const project = await loadProject({ cwd: dir, env: {} });
    const after = (await project.taskSource.all()).tasks;
    expect(after[0]?.version).toBe(before[0]?.version);
    expect(after[1]?.version).not.toBe(before[1]?.version);
    expect(project.targets.map((target) => target.version)).toEqual(old.targets.map((t) => t.version));
  });

  it('changes a target version when its generation config changes', async () => {
    const dir = await validProject();
    const before = await loadProject({ cwd: dir, env: {} });
    await writeFile(
      path.join(dir, 'assay.yaml'),
      VALID_CONFIG.replace('temperature: 0, max_tokens: 32', 'temperature: 0.7, max_tokens: 32'),
    );
    const after = await loadProject({ cwd: dir, env: {} });
    expect(after.targets[2]?.version).not.toBe(before.targets[2]?.version);
    expect(after.targets[0]?.version).toBe(before.targets[0]?.version);
  });

  it('resolves the database path against the config, and ASSAY_DB overrides it', async () => {
    const dir = await validProject({
      'assay.yaml': `${VALID_CONFIG}database: data/evals.db\n`,
    });
    const project = await loadProject({ cwd: dir, env: {} });
    expect(project.databaseUrl).toBe(path.join(dir, 'data', 'evals.db'));
    expect(project.stateDir).toBe(path.join(dir, 'data'));
    const overridden = await loadProject({ cwd: dir, env: { ASSAY_DB: '/var/tmp/other.db' } });
    expect(overridden.databaseUrl).toBe('/var/tmp/other.db');
  });

  it('takes store.url, and ASSAY_DATABASE_URL before ASSAY_DB before the config', async () => {
    const url = 'postgres://assay:s3cret@db.internal:5432/evals';
    const dir = await validProject({ 'assay.yaml': `${VALID_CONFIG}store: { url: "\${EVALS_DB}" }\n` });
    const fromConfig = await loadProject({ cwd: dir, env: { EVALS_DB: url } });
    expect(fromConfig.databaseUrl).toBe(url);
    expect(fromConfig.stateDir).toBe(path.join(dir, '.assay'));
    const sqlite = await loadProject({ cwd: dir, env: { EVALS_DB: 'sqlite:data/x.db' } });
    expect(sqlite.databaseUrl).toBe(path.join(dir, 'data', 'x.db'));
    const both = { EVALS_DB: url, ASSAY_DB: 'alias.db', ASSAY_DATABASE_URL: 'postgresql://h/other' };
    expect((await loadProject({ cwd: dir, env: both })).databaseUrl).toBe('postgresql://h/other');
    const { ASSAY_DATABASE_URL: _, ...alias } = both;
    expect((await loadProject({ cwd: dir, env: alias })).databaseUrl).toBe(path.join(dir, 'alias.db'));
  });

  it('refuses an unknown store URL scheme, naming the field, and a config with database and store both', async () => {
    const dir = await validProject({ 'assay.yaml': `${VALID_CONFIG}store: { url: "redis://h:6379" }\n` });
    await expect(loadProject({ cwd: dir, env: {} })).rejects.toMatchObject({
      message: 'unknown database URL scheme "redis:" in redis://h:6379',
      location: expect.stringMatching(/assay\.yaml:\d+:\d+/),
    });
    await expect(loadProject({ cwd: dir, env: { ASSAY_DATABASE_URL: 'ftp://x/y' } })).rejects.toMatchObject({
      location: 'ASSAY_DATABASE_URL',
    });
    const twice = await validProject({
      'assay.yaml': `${VALID_CONFIG}database: a.db\nstore: { url: b.db }\n`,
    });
    await expect(loadProject({ cwd: twice, env: {} })).rejects.toThrow('both `database` and `store.url`');
  });

  it('loads an explicit --config path from another directory', async () => {
    const dir = await validProject();
    await writeFiles(dir, {
      'nested/assay.yaml': 'prompts: [p.txt]\ntargets: [echo]\ntasks: [{vars: {}}]\n',
    });
    await writeFiles(dir, { 'nested/p.txt': 'nested prompt' });
    const project = await loadProject({ cwd: dir, configPath: 'nested/assay.yaml', env: {} });
    expect(project.baseDir).toBe(path.join(dir, 'nested'));
    expect(project.prompts[0]?.source).toBe('nested prompt');
  });
});

describe('findConfigFile', () => {
  it('prefers assay.yaml and falls back to the other names', async () => {
    const dir = await writeProject({ 'assay.config.ts': 'export default {}', 'assay.yml': 'a: 1' });
    expect(await findConfigFile(dir)).toBe(path.join(dir, 'assay.yml'));
    await writeFile(path.join(dir, 'assay.yaml'), 'a: 1');
    expect(await findConfigFile(dir)).toBe(path.join(dir, 'assay.yaml'));
  });

  it('explains how to start when there is no config', async () => {
    const dir = await writeProject({});
    const error = await findConfigFile(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(`no assay.yaml in ${dir}`);
    expect((error as UserError).hint).toContain('assay init');
  });

  it('names a missing --config file', async () => {
    const dir = await writeProject({});
    const error = await findConfigFile(dir, 'missing.yaml').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('config file not found: missing.yaml');
    expect((error as UserError).hint).toContain('--config');
  });
});

describe('findStoreUrl', () => {
  it("reads a YAML config's database, its ${VAR}s from the environment and env files, without loading the project", async () => {
    // The rest of the config is invalid and its targets use an unset variable: neither matters here.
    const dir = await writeProject({
      'assay.yaml':
        'database: ${STORE_DIR}/${STORE_NAME:-x}.db\nenv_files: [local.env]\ntargets: [{ id: "${UNSET_KEY}" }]\n',
      'local.env': 'STORE_DIR=stores\n',
    });
    const env = { STORE_NAME: 'main' };
    expect(await findStoreUrl({ cwd: dir, env })).toBe(path.join(dir, 'stores', 'main.db'));
    expect(env).toEqual({ STORE_NAME: 'main' });
    await writeFile(path.join(dir, 'assay.yaml'), 'prompts: [p.txt]\n');
    expect(await findStoreUrl({ cwd: dir, env })).toBe(path.join(dir, '.assay', 'assay.db'));
  });

  it('names a database that is not a path, or a variable it needs that is unset', async () => {
    const dir = await writeProject({ 'assay.yaml': 'database: 7\n' });
    const error = await findStoreUrl({ cwd: dir, env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('database must be a file path or a postgres:// URL');
    await writeFile(path.join(dir, 'assay.yaml'), 'database: ${NOPE}/a.db\n');
    const unset = await findStoreUrl({ cwd: dir, env: {} }).catch((caught: unknown) => caught);
    expect((unset as UserError).message).toContain('environment variable NOPE is not set');
  });

  it('reads store.url before database, PostgreSQL URLs included', async () => {
    const dir = await writeProject({
      'assay.yaml': 'store: { url: "postgres://ana:${PGPASS}@db:5432/evals" }\ndatabase: other.db\n',
    });
    expect(await findStoreUrl({ cwd: dir, env: { PGPASS: 'pw' } })).toBe('postgres://ana:pw@db:5432/evals');
  });

  it('never runs a config that is code: its store is the default beside it', async () => {
    const dir = await writeProject({ 'assay.config.ts': 'throw new Error("executed");\n' });
    const missing = await findStoreUrl({ cwd: dir, env: {} }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as UserError).message).toMatch(
      /^no database at .*assay\.db, and assay\.config\.ts is code/,
    );
    expect((missing as UserError).hint).toBe(
      'pass --db <url> or set ASSAY_DATABASE_URL to the store your config names',
    );
    await writeFiles(dir, { '.assay/assay.db': '' });
    expect(await findStoreUrl({ cwd: dir, env: {} })).toBe(path.join(dir, '.assay', 'assay.db'));
  });
});

/** A minimal valid project whose assay.yaml is `config`. */
function project(config: string, files: Record<string, string> = {}): Promise<string> {
  return writeProject({ 'assay.yaml': config, 'p.txt': 'Q: {{ q }}', ...files });
}

describe('loadProject: config errors point at the file, line and column with a hint', () => {
  it('reports a YAML syntax error at its position', async () => {
    const dir = await project(
      [
        'prompts: [p.txt]',
        'targets: [echo]',
        'tasks:',
        '  - vars: {q: 1}',
        'description: evals: smoke',
        '',
      ].join('\n'),
    );
    const error = await loadError(dir);
    expect(error.message).toMatch(/^invalid YAML: /);
    expect(error.location).toMatch(/assay\.yaml:5:14$/);
    expect(error.hint).toBe('fix the syntax at that place');
  });

  it('reports a misspelt top-level key at the key, suggesting a spelling check', async () => {
    const dir = await project(
      ['prompts: [p.txt]', 'tasks: [{vars: {q: 1}}]', 'taregts:', '  - echo', ''].join('\n'),
    );
    const error = await loadError(dir);
    const line = error.message.split('\n').find((text) => text.includes('taregts'));
    expect(line).toMatch(/assay\.yaml:3:1: taregts: Unrecognized key: "taregts"/);
    expect(line).toContain('check the spelling');
    // The missing `targets` the typo causes is reported too, and each line carries its fix.
    expect(error.message).toMatch(/assay\.yaml:1:1: targets: .*\(write a value of type array\)/);
    expect(error.hint).toBe('fix each place listed above');
  });

  it('reports a misspelt top-level key alone, at its line, with the spelling hint', async () => {
    const dir = await project(
      ['prompts: [p.txt]', 'targets: [echo]', 'tasks: [{vars: {q: 1}}]', 'descripton: smoke', ''].join('\n'),
    );
    const error = await loadError(dir);
    expect(error.message).toBe('invalid config: descripton: Unrecognized key: "descripton"');
    expect(error.location).toMatch(/assay\.yaml:4:1$/);
    expect(error.hint).toBe('remove "descripton" or check the spelling (see `assay schema`)');
  });

  it('reports an unknown key inside a mapping at that key, with the hint', async () => {
    const dir = await project(
      [
        'prompts: [p.txt]',
        'targets: [echo]',
        'tasks: [{vars: {q: 1}}]',
        'defaults:',
        '  concurency: 4',
        '',
      ].join('\n'),
    );
    const error = await loadError(dir);
    expect(error.location).toMatch(/assay\.yaml:5:3$/);
    expect(error.message).toBe('invalid config: defaults.concurency: Unrecognized key: "concurency"');
    expect(error.hint).toBe('remove "concurency" or check the spelling (see `assay schema`)');
  });

  it('reports a value of the wrong type at its field', async () => {
    const dir = await project(
      [
        'prompts: [p.txt]',
        'targets: [echo]',
        'tasks: [{vars: {q: 1}}]',
        'defaults:',
        '  retries: 1',
        '  concurrency: "many"',
        '',
      ].join('\n'),
    );
    const error = await loadError(dir);
    expect(error.location).toMatch(/assay\.yaml:6:3$/);
    expect(error.message).toContain('defaults.concurrency');
    expect(error.message).toContain('expected number, received string');
    expect(error.hint).toBe('write a value of type number');
  });

  it('reports a missing required `targets`', async () => {
    const dir = await project('prompts: [p.txt]\ntasks: [{vars: {q: 1}}]\n');
    const error = await loadError(dir);
    expect(error.location).toMatch(/assay\.yaml:1:1$/);
    expect(error.message).toContain('targets: Invalid input: expected array, received undefined');
    expect(error.hint).toBe('write a value of type array');
  });

  it('reports an empty `targets` list', async () => {
    const dir = await project('prompts: [p.txt]\ntargets: []\ntasks: [{vars: {q: 1}}]\n');
    const error = await loadError(dir);
    expect(error.location).toMatch(/assay\.yaml:2:1$/);
    expect(error.hint).toBe('add at least one entry');
  });

  it('rejects a config that is not a mapping', async () => {
    const dir = await project('- echo\n- openai:gpt-4o\n');
    const error = await loadError(dir);
    expect(error.message).toBe('the config must be a mapping of settings');
    expect(error.location).toMatch(/assay\.yaml:1:1$/);
  });

  it('reports an unknown provider at the target, listing the known ones', async () => {
    const dir = await project(
      ['prompts: [p.txt]', 'tasks: [{vars: {q: 1}}]', 'targets:', '  - echo', '  - foo:bar', ''].join('\n'),
    );
    const error = await loadError(dir);
    expect(error.message).toBe('unknown provider "foo" in "foo:bar"');
    expect(error.location).toMatch(/assay\.yaml:5:5$/);
    expect(error.hint).toContain('openai, openai-compatible, echo, file');
  });

  it('reports an unknown provider in the id field of a target mapping', async () => {
    const dir = await project(
      ['prompts: [p.txt]', 'tasks: [{vars: {q: 1}}]', 'targets:', '  - label: x', '    id: foo:bar', ''].join(
        '\n',
      ),
    );
    const error = await loadError(dir);
    expect(error.location).toMatch(/assay\.yaml:5:5$/);
  });

  it('reports a provider id missing its model', async () => {
    const dir = await project('prompts: [p.txt]\ntasks: [{vars: {q: 1}}]\ntargets: [openai]\n');
    const error = await loadError(dir);
    expect(error.message).toContain('provider id "openai" is missing a model name');
    expect(error.hint).toContain('openai:gpt-4o-mini');
  });

  it('reports a prompt glob that matches no file', async () => {
    const dir = await project(
      ['targets: [echo]', 'tasks: [{vars: {q: 1}}]', 'prompts:', '  - p.txt', '  - prompts/*.njk', ''].join(
        '\n',
      ),
    );
    const error = await loadError(dir);
    expect(error.message).toBe('no prompt file matches "prompts/*.njk"');
    expect(error.location).toMatch(/assay\.yaml:3:1$/);
    expect(error.hint).toContain(`relative to ${dir}`);
  });

  it('reports a target naming an unknown prompt, listing the known prompts', async () => {
    const dir = await project(
      [
        'prompts: [p.txt, q.txt]',
        'tasks: [{vars: {q: 1}}]',
        'targets:',
        '  - id: echo',
        '    prompts: [p, answer]',
        '',
      ].join('\n'),
      { 'q.txt': 'second' },
    );
    const error = await loadError(dir);
    expect(error.message).toBe('target "echo" names unknown prompt "answer"');
    expect(error.location).toMatch(/assay\.yaml:4:5$/);
    expect(error.hint).toBe('known prompts: p, q');
  });

  it('reports two targets with the same name', async () => {
    const dir = await project(
      ['prompts: [p.txt]', 'tasks: [{vars: {q: 1}}]', 'targets:', '  - echo', '  - id: echo', ''].join('\n'),
    );
    const error = await loadError(dir);
    expect(error.message).toMatch(/^two targets are named "echo" \(also at .*assay\.yaml:4:5\)$/);
    expect(error.location).toMatch(/assay\.yaml:5:5$/);
    expect(error.hint).toContain('label');
  });

  it('reports duplicate inline task ids at the second one, naming the first', async () => {
    const dir = await project(
      [
        'prompts: [p.txt]',
        'targets: [echo]',
        'tasks:',
        '  - id: same',
        '    vars: {q: 1}',
        '  - id: same',
        '    vars: {q: 2}',
        '',
      ].join('\n'),
    );
    const error = await loadError(dir);
    expect(error.message).toMatch(/^duplicate task id "same" \(also at .*assay\.yaml:4:5\)$/);
    expect(error.location).toMatch(/assay\.yaml:6:5$/);
    expect(error.hint).toBe('give each task a unique id');
  });

  it('reports a task id repeated across a task file and an inline task', async () => {
    const dir = await project(
      'prompts: [p.txt]\ntargets: [echo]\ntasks:\n  - tasks.jsonl\n  - {id: one, vars: {q: 3}}\n',
      { 'tasks.jsonl': '{"id": "one", "vars": {"q": 1}}\n' },
    );
    const error = await loadError(dir);
    expect(error.message).toContain('duplicate task id "one" (also at tasks.jsonl:1)');
    expect(error.location).toMatch(/assay\.yaml:5:5$/);
  });

  it('reports a task file glob that matches nothing', async () => {
    const dir = await project('prompts: [p.txt]\ntargets: [echo]\ntasks:\n  - tasks/*.yaml\n');
    const error = await loadError(dir);
    expect(error.message).toBe('no task file matches "tasks/*.yaml"');
    expect(error.location).toMatch(/assay\.yaml:4:5$/);
  });

  it('reports an invalid inline task field', async () => {
    const dir = await project(
      'prompts: [p.txt]\ntargets: [echo]\ntasks:\n  - vars: {q: 1}\n    treshold: 1\n',
    );
    const error = await loadError(dir);
    expect(error.message).toContain('Unrecognized key: "treshold"');
    expect(error.location).toMatch(/assay\.yaml:5:5$/);
  });

  it('reports a suite that selects nothing at the suite', async () => {
    const dir = await project(
      [
        'prompts: [p.txt]',
        'targets: [echo]',
        'tasks: [{vars: {q: 1}}]',
        'suites:',
        '  ok:',
        '    tags: [a]',
        '  empty:',
        '    description: forgot the tasks',
        '',
      ].join('\n'),
    );
    const error = await loadError(dir);
    expect(error.message).toBe('suite "empty" selects nothing');
    expect(error.location).toMatch(/assay\.yaml:7:3$/);
    expect(error.hint).toBe('give it tasks (files/globs), tags or filter');
  });
});

describe('loadProject: environment variables', () => {
  const TARGETS = (baseUrl: string) =>
    `prompts: [p.txt]\ntasks: [{vars: {q: 1}}]\ntargets:\n  - id: openai-compatible:m\n    base_url: ${baseUrl}\n`;

  it('reports ${VAR} without a default that is not set, at the field', async () => {
    const dir = await project(TARGETS('${MISSING_VAR}/v1'));
    const error = await loadError(dir);
    expect(error.message).toBe('environment variable MISSING_VAR is not set (used in targets[0].base_url)');
    expect(error.location).toMatch(/assay\.yaml:5:5$/);
    expect(error.hint).toContain('${MISSING_VAR:-default}');
    expect(error.hint).toContain('.env');
  });

  it('needs no target variable when loaded without targets (task and prompt browsing)', async () => {
    const dir = await project(
      `${TARGETS('${MISSING_VAR}/v1')}    headers: { x-token: "\${ALSO_MISSING}" }\ngrader: { id: "openai:\${NO_MODEL}" }\n`,
    );
    await loadError(dir);
    const loaded = await loadProject({ cwd: dir, env: {}, targets: false });
    expect(loaded.targets).toEqual([]);
    expect((await loaded.taskSource.all()).tasks).toHaveLength(1);
    expect(loaded.prompts.map((prompt) => prompt.name)).toEqual(['p']);
  });

  it('uses the default of ${VAR:-default} when VAR is unset or empty', async () => {
    const dir = await project(TARGETS('${MOCK_URL:-http://127.0.0.1:9}/v1'));
    for (const env of [{}, { MOCK_URL: '' }]) {
      const { targets } = await loadProject({ cwd: dir, env });
      expect(targets[0]?.options.base_url).toBe('http://127.0.0.1:9/v1');
    }
  });

  it('uses the environment value over the default', async () => {
    const dir = await project(TARGETS('${MOCK_URL:-http://127.0.0.1:9}/v1'));
    const { targets } = await loadProject({ cwd: dir, env: { MOCK_URL: 'http://10.0.0.2:8080' } });
    expect(targets[0]?.options.base_url).toBe('http://10.0.0.2:8080/v1');
  });

  it('reads variables from .env next to the config', async () => {
    const dir = await project(TARGETS('${MOCK_URL}/v1'), {
      '.env': '# local settings\nMOCK_URL=http://127.0.0.1:7777\nOTHER="quoted value"\n',
    });
    const env: NodeJS.ProcessEnv = {};
    const { targets } = await loadProject({ cwd: dir, env });
    expect(targets[0]?.options.base_url).toBe('http://127.0.0.1:7777/v1');
    expect(env.OTHER).toBe('quoted value');
  });

  it('lets the real environment win over .env', async () => {
    const dir = await project(TARGETS('${MOCK_URL}/v1'), { '.env': 'MOCK_URL=http://from-dotenv:1\n' });
    const env: NodeJS.ProcessEnv = { MOCK_URL: 'http://from-environment:2' };
    const { targets } = await loadProject({ cwd: dir, env });
    expect(targets[0]?.options.base_url).toBe('http://from-environment:2/v1');
    expect(env.MOCK_URL).toBe('http://from-environment:2');
  });

  it('reads the files listed in env_files instead of .env', async () => {
    const dir = await project(`${TARGETS('${MOCK_URL}/v1')}env_files: [config/test.env]\n`, {
      '.env': 'MOCK_URL=http://ignored:1\n',
      'config/test.env': 'MOCK_URL=http://listed:3\n',
    });
    const { targets } = await loadProject({ cwd: dir, env: {} });
    expect(targets[0]?.options.base_url).toBe('http://listed:3/v1');
  });

  it('interpolates the database path as well', async () => {
    const dir = await project(
      'prompts: [p.txt]\ntasks: [{vars: {q: 1}}]\ntargets: [echo]\ndatabase: ${DB_DIR:-db}/a.db\n',
    );
    expect((await loadProject({ cwd: dir, env: {} })).databaseUrl).toBe(path.join(dir, 'db', 'a.db'));
    expect((await loadProject({ cwd: dir, env: { DB_DIR: '/srv' } })).databaseUrl).toBe('/srv/a.db');
  });

  it('leaves ${...} in prompts and task vars alone', async () => {
    const dir = await project('prompts: [p.txt]\ntargets: [echo]\ntasks: [{vars: {q: "${NOT_CONFIG}"}}]\n');
    const { tasks } = await (await loadProject({ cwd: dir, env: {} })).taskSource.all();
    expect(tasks[0]?.vars.q).toBe('${NOT_CONFIG}');
  });
});

describe('loadProject: TypeScript and JavaScript configs', () => {
  it('loads assay.config.ts written with defineConfig', async () => {
    const dir = await writeProject({
      'assay.config.ts': [
        `import { defineConfig } from ${JSON.stringify(SCHEMA_MODULE)};`,
        'const temperature: number = 0;',
        'export default defineConfig({',
        "  prompts: ['p.txt'],",
        "  targets: [{ id: 'echo', label: 'mirror', config: { temperature } }],",
        "  tasks: [{ id: 'ts', vars: { q: 'typed' }, expected: 'typed' }],",
        '  defaults: { concurrency: 2 },',
        '});',
        '',
      ].join('\n'),
      'p.txt': '{{ q }}',
    });
    const project = await loadProject({ cwd: dir, env: {} });
    expect(project.configPath).toBe(path.join(dir, 'assay.config.ts'));
    expect(project.targets.map((target) => [target.name, target.config])).toEqual([
      ['mirror', { temperature: 0 }],
    ]);
    expect((await project.taskSource.all()).tasks.map((task) => task.id)).toEqual(['ts']);
    expect(project.config.defaults.concurrency).toBe(2);
  });

  it('calls a default-exported (async) function in assay.config.mjs', async () => {
    const dir = await writeProject({
      'assay.config.mjs':
        "export default async () => ({ prompts: ['p.txt'], targets: ['echo'], tasks: [{ vars: { q: 1 } }] });\n",
      'p.txt': '{{ q }}',
    });
    const project = await loadProject({ cwd: dir, env: {} });
    expect(project.targets.map((target) => target.name)).toEqual(['echo']);
  });

  it('validates a TypeScript config and names the field', async () => {
    const dir = await writeProject({
      'assay.config.ts':
        "export default { prompts: ['p.txt'], targets: ['echo'], tasks: [{ vars: {} }], defaults: { repeat: 0 } };\n",
      'p.txt': 'x',
    });
    const error = await loadError(dir);
    expect(error.message).toContain('defaults.repeat');
    expect(error.location).toMatch(/assay\.config\.ts \(defaults\.repeat\)$/);
    expect(error.hint).toBe('use a larger value');
  });

  it('reports a config module that fails to load', async () => {
    const dir = await writeProject({ 'assay.config.ts': 'export default {{{;\n' });
    const error = await loadError(dir);
    expect(error.message).toMatch(/^cannot load .*assay\.config\.ts: /);
    expect(error.hint).toMatch(/^fix the error in /);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('values from the environment', () => {
  const files = {
    'assay.yaml': [
      'prompts: [p.njk]',
      'tasks: [{ id: a, vars: {}, expected: x }]',
      'targets:',
      '  - id: openai-compatible:${MODEL}',
      '    base_url: "http://gw.example/v1?key=${QUERY_KEY}"',
      '    headers: { x-gateway-token: "Bearer ${GATEWAY}", x-team: evals, authorization: literal-secret }',
      'grader: { id: "openai-compatible:judge", headers: { x-gateway-token: "${GATEWAY}" } }',
      '',
    ].join('\n'),
    'p.njk': 'hi',
  };
  const env = (gateway: string) => ({ MODEL: 'm1', QUERY_KEY: 'q-1234567890', GATEWAY: gateway });

  it('are used in calls, kept as references in the written form, and redacted', async () => {
    const dir = await writeProject(files);
    const project = await loadProject({ cwd: dir, env: env('gw-secret-1234') });
    const [target] = project.targets;
    expect(target!.options.headers).toMatchObject({ 'x-gateway-token': 'Bearer gw-secret-1234' });
    expect(target!.options.base_url).toBe('http://gw.example/v1?key=q-1234567890');
    expect(target!.written?.options).toEqual({
      base_url: 'http://gw.example/v1?key=${QUERY_KEY}',
      headers: { 'x-gateway-token': 'Bearer ${GATEWAY}', 'x-team': 'evals', authorization: '(secret)' },
    });
    // Headers and URL queries hold credentials; a model name in the provider id does not.
    expect(project.redactor.text('gw-secret-1234 q-1234567890 m1')).toBe('${GATEWAY} ${QUERY_KEY} m1');
  });

  it('do not change versions or the config hash when a secret is rotated', async () => {
    const dir = await writeProject(files);
    const one = await loadProject({ cwd: dir, env: env('gw-secret-1234') });
    const two = await loadProject({ cwd: dir, env: env('gw-secret-5678') });
    expect(two.targets[0]!.version).toBe(one.targets[0]!.version);
    expect(two.configHash).toBe(one.configHash);
    // …but the config as written does.
    await writeFile(
      path.join(dir, 'assay.yaml'),
      files['assay.yaml'].replace('x-team: evals', 'x-team: ops'),
    );
    const three = await loadProject({ cwd: dir, env: env('gw-secret-1234') });
    expect(three.targets[0]!.version).not.toBe(one.targets[0]!.version);
    expect(three.configHash).not.toBe(one.configHash);
  });
});
