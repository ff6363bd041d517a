import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type Project } from '../config/load.js';
import { UserError } from '../errors.js';
import { compileFilters, limitTasks, selectTargets, selectTasks } from './select.js';

let dir: string;
let project: Project;

const FILES: Record<string, string> = {
  'assay.yaml': [
    'prompts: [p.txt]',
    'targets: [echo, {id: echo, label: mirror}]',
    'tasks:',
    '  - tasks/math.yaml',
    '  - tasks/lang.csv',
    '  - {id: inline.one, vars: {q: 1}, tags: [smoke], metadata: {level: 1}}',
    'suites:',
    '  critical: {tags: [critical]}',
    '  math: {tasks: [tasks/math.yaml]}',
    '  tables: {tasks: ["tasks/*.csv"], tags: [smoke]}',
    '  hard-math: {tasks: [tasks/math.yaml], filter: ["metadata.level=3"]}',
    '  everything-smoke: {filter: ["tag:smoke"]}',
    '',
  ].join('\n'),
  'p.txt': '{{ q }}',
  'tasks/math.yaml': [
    '- {id: math-add, vars: {q: 1}, tags: [math, critical], metadata: {level: 1, area: arithmetic}}',
    '- {id: math-mul, vars: {q: 2}, tags: [math], metadata: {level: 3, area: arithmetic}}',
    '- {id: mathx, vars: {q: 3}, tags: [math, smoke], metadata: {level: 3}}',
    '',
  ].join('\n'),
  'tasks/lang.csv': 'q,__id,__tags\nhello,lang-en,"lang, critical"\nbonjour,lang-fr,lang\n',
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-select-'));
  for (const [name, content] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  project = await loadProject({ cwd: dir, env: {} });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ids(suite: string | null, filters: string[]): Promise<string[]> {
  return (await selectTasks(project, suite, filters)).map((task) => task.id);
}

const ALL = ['math-add', 'math-mul', 'mathx', 'lang-en', 'lang-fr', 'inline.one'];

describe('selectTasks: filters', () => {
  it('selects every task, in config order, without suite or filters', async () => {
    expect(await ids(null, [])).toEqual(ALL);
  });

  it('selects by tag', async () => {
    expect(await ids(null, ['tag:critical'])).toEqual(['math-add', 'lang-en']);
    expect(await ids(null, ['tag:nope'])).toEqual([]);
  });

  it('selects by id glob, with * and ? and literal dots', async () => {
    expect(await ids(null, ['id:math-*'])).toEqual(['math-add', 'math-mul']);
    expect(await ids(null, ['id:lang-??'])).toEqual(['lang-en', 'lang-fr']);
    expect(await ids(null, ['id:math*'])).toEqual(['math-add', 'math-mul', 'mathx']);
    expect(await ids(null, ['id:inline.one'])).toEqual(['inline.one']);
    expect(await ids(null, ['id:inline?one'])).toEqual(['inline.one']);
    expect(await ids(null, ['id:inlineXone'])).toEqual([]);
    // A glob matches the whole id.
    expect(await ids(null, ['id:math'])).toEqual([]);
  });

  it('selects by metadata value, compared as text', async () => {
    expect(await ids(null, ['metadata.level=3'])).toEqual(['math-mul', 'mathx']);
    expect(await ids(null, ['metadata.area=arithmetic'])).toEqual(['math-add', 'math-mul']);
    expect(await ids(null, ['metadata.missing=x'])).toEqual([]);
  });

  it('ORs the terms of one expression joined by commas', async () => {
    expect(await ids(null, ['tag:lang,id:mathx'])).toEqual(['mathx', 'lang-en', 'lang-fr']);
    expect(await ids(null, ['tag:smoke, metadata.level=1'])).toEqual(['math-add', 'mathx', 'inline.one']);
  });

  it('ANDs repeated expressions', async () => {
    expect(await ids(null, ['tag:math', 'metadata.level=3'])).toEqual(['math-mul', 'mathx']);
    expect(await ids(null, ['tag:math,tag:lang', 'tag:critical'])).toEqual(['math-add', 'lang-en']);
    expect(await ids(null, ['tag:math', 'tag:lang'])).toEqual([]);
  });

  it.each(['critical', 'tags:math', 'metadata.level', 'tag:math,level=1'])(
    'rejects the invalid filter %j with the syntax in the hint',
    (filter) => {
      let caught: unknown;
      try {
        compileFilters([filter]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UserError);
      expect((caught as UserError).message).toMatch(/^invalid filter "/);
      expect((caught as UserError).location).toBe('--filter');
      expect((caught as UserError).hint).toBe(
        'use tag:NAME, id:GLOB or metadata.KEY=VALUE; join with "," for OR, repeat --filter for AND',
      );
    },
  );
});

describe('selectTasks: suites', () => {
  it('selects a suite by tags', async () => {
    expect(await ids('critical', [])).toEqual(['math-add', 'lang-en']);
  });

  it('selects a suite by task files', async () => {
    expect(await ids('math', [])).toEqual(['math-add', 'math-mul', 'mathx']);
  });

  it('takes the union of task file globs and tags', async () => {
    expect(await ids('tables', [])).toEqual(['mathx', 'lang-en', 'lang-fr', 'inline.one']);
  });

  it('applies the suite filter to its tasks', async () => {
    expect(await ids('hard-math', [])).toEqual(['math-mul', 'mathx']);
    expect(await ids('everything-smoke', [])).toEqual(['mathx', 'inline.one']);
  });

  it('ANDs command-line filters with the suite', async () => {
    expect(await ids('math', ['tag:critical'])).toEqual(['math-add']);
    expect(await ids('critical', ['id:lang-*'])).toEqual(['lang-en']);
  });

  it('rejects an unknown suite, listing the known ones', async () => {
    const error = await selectTasks(project, 'nightly', []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('unknown suite "nightly"');
    expect((error as UserError).location).toBe('--suite');
    expect((error as UserError).hint).toBe(
      'known suites: critical, math, tables, hard-math, everything-smoke',
    );
  });
});

describe('selectTargets', () => {
  it('selects all targets when none are named, else the named ones in config order', () => {
    expect(selectTargets(project.targets, []).map((target) => target.name)).toEqual(['echo', 'mirror']);
    expect(selectTargets(project.targets, ['mirror']).map((target) => target.name)).toEqual(['mirror']);
    expect(selectTargets(project.targets, ['mirror', 'echo']).map((target) => target.name)).toEqual([
      'echo',
      'mirror',
    ]);
  });

  it('rejects an unknown target, listing the known ones', () => {
    let caught: unknown;
    try {
      selectTargets(project.targets, ['echo', 'gpt']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe('unknown target "gpt"');
    expect((caught as UserError).location).toBe('--target');
    expect((caught as UserError).hint).toBe('known targets: echo, mirror');
  });
});

describe('limitTasks', () => {
  const tasks = Array.from({ length: 20 }, (_, index) => ({
    id: `t${index}`,
    version: 'v',
    vars: {},
    assert: [],
    tags: [],
    metadata: {},
    source: 'x',
  }));

  it('--first keeps the first N in order; --sample draws N reproducibly per seed, in config order', () => {
    expect(limitTasks(tasks, { first: 3 }).map((task) => task.id)).toEqual(['t0', 't1', 't2']);
    const a = limitTasks(tasks, { sample: { size: 5, seed: '42' } }).map((task) => task.id);
    expect(a).toHaveLength(5);
    expect(new Set(a).size).toBe(5);
    expect(limitTasks(tasks, { sample: { size: 5, seed: '42' } }).map((task) => task.id)).toEqual(a);
    expect([...a].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)))).toEqual(a);
    const other = limitTasks(tasks, { sample: { size: 5, seed: '43' } }).map((task) => task.id);
    expect(other).not.toEqual(a);
    expect(limitTasks(tasks, { sample: { size: 50, seed: '1' } })).toHaveLength(20);
    expect(limitTasks(tasks, {})).toBe(tasks);
  });
});
