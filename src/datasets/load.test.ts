import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatFieldPath } from '../config/source.js';
import { UserError } from '../errors.js';
import { loadTaskFile, loadTasks, readTaskFile, streamLineBatches } from './load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-datasets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const full = path.join(dir, name);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, content);
  return full;
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

const locate = (fieldPath: ReadonlyArray<PropertyKey>) => `assay.yaml(${formatFieldPath(fieldPath)})`;

describe('loadTaskFile: YAML and JSON', () => {
  it('loads a YAML list of tasks', async () => {
    const tasks = await loadTaskFile(
      await file(
        'tasks.yaml',
        [
          '- id: capital',
          '  description: geography',
          '  vars: { country: France }',
          '  expected: Paris',
          '  tags: [geo]',
          '  metadata: { level: easy }',
          '- id: json',
          '  vars: { q: give json }',
          '  assert:',
          '    - type: is-json',
          '    - { type: contains, value: "{", weight: 2 }',
          '  threshold: 0.5',
          '',
        ].join('\n'),
      ),
      dir,
    );
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({
      id: 'capital',
      vars: { country: 'France' },
      expected: 'Paris',
      assert: [{ type: 'equals' }],
      tags: ['geo'],
      metadata: { level: 'easy' },
    });
    expect(tasks[0]?.source).toMatch(/tasks\.yaml:1:3$/);
    expect(tasks[1]).toMatchObject({
      id: 'json',
      assert: [{ type: 'is-json' }, { type: 'contains', value: '{', weight: 2 }],
      threshold: 0.5,
      tags: [],
      metadata: {},
    });
    expect(tasks[1]).not.toHaveProperty('expected');
    expect(tasks[1]?.source).toMatch(/tasks\.yaml:7:3$/);
  });

  it('loads the {tasks: [...]} form', async () => {
    const tasks = await loadTaskFile(
      await file('wrapped.yml', 'tasks:\n  - id: a\n    vars: {x: 1}\n  - id: b\n    vars: {x: 2}\n'),
      dir,
    );
    expect(tasks.map((task) => [task.id, task.vars])).toEqual([
      ['a', { x: 1 }],
      ['b', { x: 2 }],
    ]);
    expect(tasks[1]?.source).toMatch(/wrapped\.yml:4:5$/);
  });

  it('loads JSON', async () => {
    const tasks = await loadTaskFile(
      await file('tasks.json', JSON.stringify([{ id: 'j', vars: { n: 3 }, expected: 3 }], null, 2)),
      dir,
    );
    expect(tasks).toMatchObject([{ id: 'j', vars: { n: 3 }, expected: '3', assert: [{ type: 'equals' }] }]);
  });

  it('adds no default assertion when there is no expected value, and keeps explicit ones', async () => {
    const tasks = await loadTaskFile(
      await file(
        'tasks.yaml',
        '- {id: a, vars: {}}\n- {id: b, vars: {}, expected: yes, assert: [{type: icontains}]}\n- {id: c, vars: {}, expected: false}\n',
      ),
      dir,
    );
    expect(tasks.map((task) => task.assert)).toEqual([[], [{ type: 'icontains' }], [{ type: 'equals' }]]);
    expect(tasks[2]?.expected).toBe('false');
  });

  it('rejects a file that is neither a list nor {tasks: [...]}', async () => {
    const error = await failure(loadTaskFile(await file('bad.yaml', 'id: a\nvars: {}\n'), dir));
    expect(error.message).toMatch(/^invalid task file \(a list of tasks, or \{tasks: \[\.\.\.\]\}\)/);
  });

  it('reports an invalid task field at its line', async () => {
    const error = await failure(
      loadTaskFile(await file('tasks.yaml', '- id: a\n  vars: {}\n- id: b\n  vars: [1, 2]\n'), dir),
    );
    expect(error.message).toContain('vars: Invalid input: expected record, received array');
    expect(error.location).toMatch(/tasks\.yaml:4:3$/);
  });

  it('reports a YAML syntax error with line and column', async () => {
    const error = await failure(loadTaskFile(await file('tasks.yaml', '- id: a\n  vars: {x: 1\n'), dir));
    expect(error.message).toMatch(/^invalid YAML/);
    expect(error.location).toMatch(/tasks\.yaml:\d+:\d+$/);
  });
});

describe('loadTaskFile: JSONL', () => {
  it('loads one task per line, skipping blank lines', async () => {
    const tasks = await loadTaskFile(
      await file(
        'tasks.jsonl',
        '{"id": "a", "vars": {"x": 1}}\n\n{"id": "b", "vars": {"x": 2}, "expected": "2"}\r\n',
      ),
      dir,
    );
    expect(tasks.map((task) => [task.id, task.source, task.expected])).toEqual([
      ['a', 'tasks.jsonl:1', undefined],
      ['b', 'tasks.jsonl:3', '2'],
    ]);
  });

  it('reads a last line without a line break, and CRLF line ends throughout', async () => {
    const tasks = await loadTaskFile(
      await file('crlf.jsonl', '{"id": "a", "vars": {}}\r\n\r\n{"id": "b", "vars": {"q": "é"}}'),
      dir,
    );
    expect(tasks.map((task) => [task.id, task.source, task.vars])).toEqual([
      ['a', 'crlf.jsonl:1', {}],
      ['b', 'crlf.jsonl:3', { q: 'é' }],
    ]);
  });

  it('names the file and line of a line that is not JSON', async () => {
    const error = await failure(
      loadTaskFile(await file('data/tasks.jsonl', '{"id": "a", "vars": {}}\n{"id": "b", vars: {}}\n'), dir),
    );
    expect(error.message).toMatch(/^invalid JSON line: /);
    expect(error.location).toBe(`${path.join('data', 'tasks.jsonl')}:2`);
    expect(error.hint).toBe('each line must be one JSON object');
  });

  it('names the file, line and field of an invalid task', async () => {
    const error = await failure(
      loadTaskFile(
        await file('tasks.jsonl', '{"id": "a", "vars": {}}\n\n{"id": "b", "vars": {}, "tags": "x"}\n'),
        dir,
      ),
    );
    expect(error.location).toBe('tasks.jsonl:3 (tags)');
    expect(error.message).toContain('tags: Invalid input: expected array, received string');
  });
});

describe('loadTaskFile: CSV', () => {
  it('turns columns into vars and reads __id, __expected and __tags', async () => {
    const tasks = await loadTaskFile(
      await file(
        'tasks.csv',
        [
          'question,context,__id,__expected,__tags',
          'What is 2+2?,math,sum,4,"math, critical"',
          '"Hello, world","line one',
          'line two",quote,"say ""hi""",',
          '',
        ].join('\n'),
      ),
      dir,
    );
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({
      id: 'sum',
      vars: { question: 'What is 2+2?', context: 'math' },
      expected: '4',
      tags: ['math', 'critical'],
      assert: [{ type: 'equals' }],
      source: 'tasks.csv:2',
    });
    expect(tasks[1]).toMatchObject({
      id: 'quote',
      vars: { question: 'Hello, world', context: 'line one\nline two' },
      expected: 'say "hi"',
      tags: [],
    });
    expect(tasks[1]?.vars).not.toHaveProperty('__id');
  });

  it('reads __threshold and __description, and treats an empty __expected as none', async () => {
    const [task] = await loadTaskFile(
      await file('tasks.csv', 'q,__expected,__threshold,__description\nhi,,0.5,greeting\n'),
      dir,
    );
    expect(task).toMatchObject({ vars: { q: 'hi' }, threshold: 0.5, assert: [] });
    expect(task).not.toHaveProperty('expected');
  });

  it('gives each row the line it starts on, even after a quoted newline', async () => {
    const tasks = await loadTaskFile(
      await file('tasks.csv', 'q,__id\n"two\nlines",a\nplain,b\n\nafter-blank,c\n'),
      dir,
    );
    expect(tasks.map((task) => task.source)).toEqual(['tasks.csv:2', 'tasks.csv:4', 'tasks.csv:6']);
  });

  it('reports an invalid row at its line', async () => {
    const error = await failure(
      loadTaskFile(await file('tasks.csv', 'q,__threshold\n"multi\nline",0.5\nbad,5\n'), dir),
    );
    expect(error.location).toBe('tasks.csv:4');
    expect(error.message).toContain('threshold');
  });

  it('rejects an unknown __ column, listing the special ones', async () => {
    const error = await failure(loadTaskFile(await file('tasks.csv', 'q,__weight\nhi,2\n'), dir));
    expect(error.message).toBe('unknown special column __weight');
    expect(error.location).toBe('tasks.csv');
    expect(error.hint).toBe('special columns are __id, __expected, __tags, __threshold, __description');
  });

  it('reports broken quoting with a line', async () => {
    const error = await failure(loadTaskFile(await file('tasks.csv', 'q,a\n"open,1\nx,2\n'), dir));
    expect(error.message).toMatch(/^invalid CSV: /);
    expect(error.location).toMatch(/^tasks\.csv(:\d+)?$/);
    expect(error.hint).toContain('double quotes');
  });
});

describe('loadTaskFile: ids and other file types', () => {
  it('derives ids from the vars, the same on every load and different for different vars', async () => {
    const path1 = await file('a.yaml', '- vars: {q: one}\n- vars: {q: two}\n');
    const path2 = await file('b.csv', 'q\none\n');
    const first = await loadTaskFile(path1, dir);
    const again = await loadTaskFile(path1, dir);
    const fromCsv = await loadTaskFile(path2, dir);
    expect(first[0]?.id).toMatch(/^t-[0-9a-f]{10}$/);
    expect(again.map((task) => task.id)).toEqual(first.map((task) => task.id));
    expect(first[1]?.id).not.toBe(first[0]?.id);
    // The id depends on the vars alone, not on the file format or position.
    expect(fromCsv[0]?.id).toBe(first[0]?.id);
  });

  it('keeps the id but changes the version when expected changes', async () => {
    const before = await loadTaskFile(await file('a.yaml', '- {vars: {q: one}, expected: "1"}\n'), dir);
    const after = await loadTaskFile(await file('a.yaml', '- {vars: {q: one}, expected: "one"}\n'), dir);
    expect(after[0]?.id).toBe(before[0]?.id);
    expect(after[0]?.version).not.toBe(before[0]?.version);
  });

  it('rejects an unsupported extension and a missing file', async () => {
    const unsupported = await failure(loadTaskFile(await file('tasks.txt', 'x'), dir));
    expect(unsupported.message).toBe('unsupported task file type ".txt"');
    expect(unsupported.hint).toBe('use .yaml, .json, .jsonl or .csv');
    const missing = await failure(loadTaskFile(path.join(dir, 'gone.yaml'), dir));
    expect(missing.message).toBe('cannot read task file: ENOENT');
    expect(missing.location).toBe('gone.yaml');
  });
});

describe('loadTaskFile: files that are not UTF-8 text', () => {
  async function bytes(name: string, content: Buffer): Promise<string> {
    const full = path.join(dir, name);
    await writeFile(full, content);
    return full;
  }
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  it('names the file and line of bytes that are not UTF-8, in every format', async () => {
    const files = {
      'a.yaml': latin1('- id: a\n  vars: { q: "ok" }\n- id: b\n  vars: { q: "caf\xe9" }\n'),
      'a.json': latin1('[\n  {"id": "a", "vars": {"q": "caf\xe9"}}\n]\n'),
      'a.jsonl': latin1('{"id":"a","vars":{"q":"ok"}}\n\n{"id":"b","vars":{"q":"caf\xe9"}}\n'),
      'a.csv': latin1('id,q\na,ok\nb,ok\nc,caf\xe9\n'),
    };
    const lines = { 'a.yaml': 4, 'a.json': 2, 'a.jsonl': 3, 'a.csv': 4 };
    for (const [name, content] of Object.entries(files)) {
      const error = await failure(loadTaskFile(await bytes(name, content), dir));
      expect({ name, location: error.location }).toEqual({
        name,
        location: `${name}:${lines[name as keyof typeof lines]}`,
      });
      expect(error.message).toMatch(/^this task file is not UTF-8 text/);
    }
  });

  it('says a binary file looks binary, in one short message', async () => {
    const binary = Buffer.concat([latin1('\x7fELF\x02\x01\x01\x00"quoted'), Buffer.alloc(3800, 0x41)]);
    for (const name of ['b.yaml', 'b.jsonl', 'b.csv']) {
      const error = await failure(loadTaskFile(await bytes(name, binary), dir));
      expect(error.location).toBe(name);
      expect(error.message).toBe(
        'this task file looks binary, not text (it holds NUL bytes; a UTF-16 file does too)',
      );
    }
  });

  it('cuts the field csv-parse quotes in its message', async () => {
    const error = await failure(loadTaskFile(await file('c.csv', `q\n${'y'.repeat(5000)}"x\n`), dir));
    expect(error.message).toMatch(/^invalid CSV: /);
    expect(error.message.length).toBeLessThan(260);
  });
});

describe('loadTasks', () => {
  it('loads inline tasks and globbed files in config order, recording the file of each task', async () => {
    await file('tasks/b.jsonl', '{"id": "b1", "vars": {}}\n');
    await file('tasks/a.csv', 'q,__id\nx,a1\n');
    const { tasks, filesByTask } = await loadTasks(
      [{ id: 'inline', vars: { q: 1 } }, 'tasks/*.{csv,jsonl}'],
      dir,
      locate,
    );
    expect(tasks.map((task) => task.id)).toEqual(['inline', 'a1', 'b1']);
    expect(tasks[0]?.source).toBe('assay.yaml(tasks[0])');
    expect(Object.fromEntries(filesByTask)).toEqual({
      a1: path.join('tasks', 'a.csv'),
      b1: path.join('tasks', 'b.jsonl'),
    });
  });

  it('reports a glob that matches nothing at its entry', async () => {
    const error = await failure(loadTasks(['missing/*.yaml'], dir, locate));
    expect(error.message).toBe('no task file matches "missing/*.yaml"');
    expect(error.location).toBe('assay.yaml(tasks[0])');
    expect(error.hint).toContain(dir);
  });

  it('rejects duplicate ids across files, naming both places', async () => {
    await file('one.jsonl', '{"id": "same", "vars": {}}\n');
    await file('two.csv', 'q,__id\nx,same\n');
    const error = await failure(loadTasks(['one.jsonl', 'two.csv'], dir, locate));
    expect(error.message).toBe('duplicate task id "same" (also at one.jsonl:1)');
    expect(error.location).toBe('two.csv:2');
  });

  it('rejects two tasks with the same vars and no id, since their derived ids collide', async () => {
    const error = await failure(
      loadTasks(
        [
          { vars: { q: 1 }, expected: 'a' },
          { vars: { q: 1 }, expected: 'b' },
        ],
        dir,
        locate,
      ),
    );
    expect(error.message).toMatch(/^duplicate task id "t-[0-9a-f]{10}"/);
    expect(error.hint).toBe('give each task a unique id');
  });
});

/** Writes `count` lines made by `line` through a stream, so the test itself holds no big string. */
async function generate(name: string, header: string, count: number, line: (n: number) => string) {
  const full = path.join(dir, name);
  const out = createWriteStream(full);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', resolve));
  if (header) await write(`${header}\n`);
  for (let n = 1; n <= count; n++) await write(`${line(n)}\n`);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return full;
}

describe('large task files', () => {
  const ROWS = 100_000;

  it('streams a 100k-line JSONL file', async () => {
    const full = await generate('big.jsonl', '', ROWS, (n) =>
      JSON.stringify({ id: `q${n}`, vars: { question: `What is ${n} + 1? ✓` }, expected: String(n + 1) }),
    );
    const tasks = await loadTaskFile(full, dir);
    expect(tasks).toHaveLength(ROWS);
    // Lines cut across read chunks (multi-byte characters included) come out whole and numbered.
    const broken = tasks.findIndex(
      (task, index) =>
        task.id !== `q${index + 1}` ||
        task.source !== `big.jsonl:${index + 1}` ||
        task.vars.question !== `What is ${index + 1} + 1? ✓`,
    );
    expect(broken).toBe(-1);
    expect(tasks[0]).toMatchObject({ id: 'q1', expected: '2', source: 'big.jsonl:1' });
    expect(tasks.at(-1)).toMatchObject({
      id: `q${ROWS}`,
      vars: { question: `What is ${ROWS} + 1? ✓` },
      source: `big.jsonl:${ROWS}`,
    });
  });

  it('streams a 100k-row CSV file, quoted fields included', async () => {
    const full = await generate('big.csv', 'question,__id,__expected', ROWS, (n) =>
      n % 1000 === 0 ? `"Sum, ${n}\nand one",c${n},${n + 1}` : `Sum ${n},c${n},${n + 1}`,
    );
    const tasks = await loadTaskFile(full, dir);
    expect(tasks).toHaveLength(ROWS);
    expect(tasks[0]).toMatchObject({ id: 'c1', vars: { question: 'Sum 1' }, source: 'big.csv:2' });
    // Every thousandth row spans two lines, so the last one starts 99 lines further down.
    expect(tasks.at(-1)).toMatchObject({
      id: `c${ROWS}`,
      vars: { question: `Sum, ${ROWS}\nand one` },
      expected: String(ROWS + 1),
      source: `big.csv:${ROWS + 1 + 99}`,
    });
  });
});

describe('readTaskFile', () => {
  it('yields tasks one at a time and stops reading when the consumer stops', async () => {
    const full = await file('tasks.jsonl', '{"id": "a", "vars": {}}\n{"id": "b", "vars": {}}\nnot json\n');
    const seen: string[] = [];
    for await (const task of readTaskFile(full, dir)) {
      seen.push(task.id);
      if (task.id === 'b') break;
    }
    // The broken third line is never reported to a reader that stopped before it.
    expect(seen).toEqual(['a', 'b']);
    // Read to the end, it is.
    await expect(loadTaskFile(full, dir)).rejects.toThrow(/invalid JSON line/);
  });

  it('reports the first problem in file order, whatever kind it is', async () => {
    const jsonl = await file('order.jsonl', '{"id": 5}\nnot json\n');
    const first = await failure(loadTaskFile(jsonl, dir));
    expect(first.location).toBe('order.jsonl:1 (id)');
    const yaml = await file('order.yaml', '- id: ok\n- id: 5\n');
    const seen: string[] = [];
    const second = await failure(
      (async () => {
        for await (const task of readTaskFile(yaml, dir)) seen.push(task.id);
      })(),
    );
    expect(seen).toEqual(['ok']);
    expect(second.location).toMatch(/order\.yaml:2/);
  });

  it('reports a CSV error after earlier rows were yielded, with its line', async () => {
    const full = await file('tasks.csv', 'q,__threshold\nok,0.5\nfine,1\nbad,7\n');
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const task of readTaskFile(full, dir)) seen.push(String(task.vars.q));
      })(),
    );
    expect(seen).toEqual(['ok', 'fine']);
    expect(error.location).toBe('tasks.csv:4');
  });

  it('reports a directory given as a JSONL file as unreadable', async () => {
    await mkdir(path.join(dir, 'folder.jsonl'));
    const error = await failure(loadTaskFile(path.join(dir, 'folder.jsonl'), dir));
    expect(error.message).toBe('cannot read task file: EISDIR');
    expect(error.location).toBe('folder.jsonl');
  });
});

describe('streamLineBatches', () => {
  async function lines(chunks: string[]): Promise<string[]> {
    async function* source() {
      yield* chunks;
    }
    const out: string[] = [];
    for await (const batch of streamLineBatches(source())) out.push(...batch);
    return out;
  }

  it('ends lines at \\n, \\r\\n and a lone \\r, as node:readline does', async () => {
    expect(await lines(['a\nb\r\nc\rd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(await lines(['a\r', '\nb\r', 'c\n'])).toEqual(['a', 'b', 'c']);
    expect(await lines(['\r\n', '\n'])).toEqual(['', '']);
    expect(await lines(['', ''])).toEqual([]);
  });

  it('joins a line cut across chunks, however many', async () => {
    expect(await lines(['ab', 'c', '', 'd\ne', 'f'])).toEqual(['abcd', 'ef']);
    const long = 'x'.repeat(100_000);
    const pieces = Array.from({ length: 1000 }, (_, index) => long.slice(index * 100, (index + 1) * 100));
    expect(await lines([...pieces, '\nlast'])).toEqual([long, 'last']);
  });

  it('batches the lines each chunk completes, never yielding an empty batch', async () => {
    async function* source() {
      yield* ['a\nb\nc', 'c', 'd\n', 'e'];
    }
    const batches: string[][] = [];
    for await (const batch of streamLineBatches(source())) batches.push(batch);
    expect(batches).toEqual([['a', 'b'], ['ccd'], ['e']]);
  });
});
