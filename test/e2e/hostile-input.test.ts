import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { arithmeticTasks, type CliResult, makeProject, mockEnv, runCli } from './helpers.js';

// Issue 11: what a hostile (or unlucky) user can give Assay. Each answer is one message naming the
// place and a fix, exit 2 for bad input or 3 for the machine, never a stack trace, a hang or a
// file written where it does not belong.

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const CONFIG = `prompts: [q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0, max_tokens: 32 }
tasks: [tasks.jsonl]
`;

async function projectWithRun(files: Record<string, string> = {}) {
  const project = await makeProject({
    'assay.yaml': CONFIG,
    'q.njk': '{{ question }}',
    'tasks.jsonl': arithmeticTasks(3),
    ...files,
  });
  const env = mockEnv(mock.url, project.dir);
  const run = await runCli(['run', '--progress', 'none'], { cwd: project.dir, env });
  expect(run.code, run.stderr).toBe(0);
  return { ...project, env };
}

/** One clear message: the place, a fix, no stack trace. */
function expectMessage(result: CliResult, code: number, message: RegExp, fix: RegExp): void {
  expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code });
  const [head, hint, ...rest] = result.stderr.trimEnd().split('\n');
  expect(head).toMatch(/^error: /);
  expect(head).toMatch(message);
  expect(hint).toMatch(/^ {2}fix: /);
  expect(hint).toMatch(fix);
  expect(rest).toEqual([]);
}

describe('paths outside the project or where no file can go', () => {
  it('tasks add refuses a task file outside the project (.., absolute, a link leading out)', async () => {
    const project = await projectWithRun();
    const outside = path.join(project.dir, 'outside');
    const inner = path.join(project.dir, 'inner');
    await mkdir(outside);
    await mkdir(inner);
    await writeFile(path.join(inner, 'assay.yaml'), CONFIG);
    await writeFile(path.join(inner, 'q.njk'), '{{ question }}');
    await writeFile(path.join(inner, 'tasks.jsonl'), arithmeticTasks(1));
    await writeFile(path.join(project.dir, 'new.json'), '[{"id": "x1", "vars": {"question": "q"}}]');
    await symlink(outside, path.join(inner, 'link-out'));
    try {
      for (const to of ['../outside/a.yaml', path.join(outside, 'b.yaml'), 'link-out/c.yaml']) {
        const result = await runCli(['tasks', 'add', '--from-file', '../new.json', '--to', to], {
          cwd: inner,
          env: project.env,
        });
        expectMessage(result, 2, /^error: --to: .* is outside the project folder/, /inside the project/);
      }
      expect(readdirSync(outside)).toEqual([]);
      const inside = await runCli(
        ['tasks', 'add', '--from-file', '../new.json', '--to', 'tasks/added.yaml'],
        {
          cwd: inner,
          env: project.env,
        },
      );
      expect(inside.code, inside.stderr).toBe(0);
      expect(existsSync(path.join(inner, 'tasks', 'added.yaml'))).toBe(true);
    } finally {
      await project.cleanup();
    }
  });

  it('export -o and --db under /proc, or below a file, fail at once with the path (no endless mkdir)', async () => {
    const project = await projectWithRun();
    const file = path.join(project.dir, 'q.njk');
    const { dir } = project;
    try {
      const cases: Array<[string[], RegExp]> = [
        [
          ['export', 'latest', '-f', 'html', '-o', '/proc/assay-nope/x.html'],
          /^error: -o: cannot create the folder \/proc\/assay-nope \(ENOENT/,
        ],
        [
          ['runs', '--db', '/proc/assay-nope/x.db'],
          /^error: --db: cannot create the folder \/proc\/assay-nope \(ENOENT/,
        ],
        [
          ['export', 'latest', '-f', 'csv', '-o', `${file}/x.csv`],
          /^error: -o: .*q\.njk is a file, not a folder/,
        ],
        [
          ['runs', '--db', `${file}/x/y.db`],
          /^error: --db: cannot create the folder .*q\.njk is a file, not a folder/,
        ],
      ];
      for (const [args, message] of cases) {
        expectMessage(
          await runCli(args, { cwd: dir, env: { HOME: dir } }),
          2,
          message,
          /choose (another path|a path)/,
        );
      }
    } finally {
      await project.cleanup();
    }
  });
});

describe('bad flags and bad files', () => {
  it('show --repeat and run --repeat are checked as numbers, at once', async () => {
    const project = await projectWithRun();
    try {
      const show = await runCli(['show', 'latest', 't1', '--repeat', 'abc'], {
        cwd: project.dir,
        env: project.env,
      });
      expectMessage(show, 2, /--repeat must be a whole number from 0 up, got "abc"/, /--repeat 0/);
      const run = await runCli(['run', '--repeat', '100000000'], { cwd: project.dir, env: project.env });
      expectMessage(run, 2, /--repeat 100000000 is over the limit of 1000/, /at most 1000/);
    } finally {
      await project.cleanup();
    }
  });

  it('an alias bomb, invalid UTF-8 and a binary file: one message naming the file (and line), nothing sent', async () => {
    const bomb = ['- id: b', '  vars:', '    a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 10; level++) {
      bomb.push(
        `    a${level}: &a${level} [${Array(9)
          .fill(`*a${level - 1}`)
          .join(', ')}]`,
      );
    }
    const cases: Array<{ files: Record<string, string | Buffer>; message: RegExp; fix: RegExp }> = [
      {
        files: { 'tasks.yaml': `${bomb.join('\n')}\n` },
        message: /^error: tasks\.yaml: its aliases \(\*name\) expand to too many values/,
        fix: /write the values out/,
      },
      {
        files: { 'tasks.yaml': Buffer.from('- id: a\n  vars: { question: "caf\xe9" }\n', 'latin1') },
        message: /^error: tasks\.yaml:2: this task file is not UTF-8 text/,
        fix: /save the file as UTF-8/,
      },
      {
        files: {
          'tasks.yaml': '- id: a\n  vars: { question: "ok" }\n',
          'q.njk': Buffer.from('Question:\n{{ question }} \xbf?\n', 'latin1'),
        },
        message: /^error: q\.njk:2: this prompt file is not UTF-8 text/,
        fix: /save the file as UTF-8/,
      },
      {
        files: {
          'tasks.yaml': Buffer.concat([
            Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'),
            Buffer.alloc(3800, 0x41),
          ]),
        },
        message: /^error: tasks\.yaml: this task file looks binary, not text/,
        fix: /save the task file as UTF-8 text/,
      },
    ];
    for (const { files, message, fix } of cases) {
      const project = await makeProject({
        'assay.yaml': CONFIG.replace('tasks.jsonl', 'tasks.yaml'),
        'q.njk': '{{ question }}',
      });
      for (const [name, content] of Object.entries(files))
        writeFileSync(path.join(project.dir, name), content);
      try {
        mock.reset();
        const result = await runCli(['run', '--progress', 'none'], {
          cwd: project.dir,
          env: mockEnv(mock.url, project.dir),
        });
        expectMessage(result, 2, message, fix);
        expect(result.stderr.length).toBeLessThan(400);
        expect(mock.journal()).toEqual([]);
      } finally {
        await project.cleanup();
      }
    }
  });

  it('tasks list shows 200,000 tasks (no spread into Math.max)', async () => {
    const lines: string[] = [];
    for (let index = 0; index < 200_000; index++)
      lines.push(`{"id":"t${index}","vars":{"question":"q${index}"}}`);
    const project = await makeProject({
      'assay.yaml': CONFIG,
      'q.njk': '{{ question }}',
      'tasks.jsonl': `${lines.join('\n')}\n`,
    });
    try {
      const result = await runCli(['tasks', 'list'], {
        cwd: project.dir,
        env: mockEnv(mock.url, project.dir),
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('200000 tasks');
    } finally {
      await project.cleanup();
    }
  });
});

describe('browsing commands', () => {
  it('need no variable that only the targets use', async () => {
    const project = await projectWithRun();
    try {
      writeFileSync(
        path.join(project.dir, 'assay.yaml'),
        CONFIG.replace('    config:', '    headers: { x-gateway-token: "${GATEWAY_TOKEN}" }\n    config:'),
      );
      const { ASSAY_DB } = project.env;
      for (const args of [
        ['results'],
        ['runs'],
        ['show', 'latest', 't1'],
        ['tasks', 'list'],
        ['prompts', 'list'],
      ]) {
        const result = await runCli(args, { cwd: project.dir, env: { ASSAY_DB: ASSAY_DB! } });
        expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
      }
      const run = await runCli(['run'], { cwd: project.dir, env: project.env });
      expectMessage(run, 2, /environment variable GATEWAY_TOKEN is not set/, /set GATEWAY_TOKEN/);
    } finally {
      await project.cleanup();
    }
  });

  it('show prints no escape sequence or control character of model output', async () => {
    const hostile = 'hi \u001b[31mRED\u001b]0;pwned\u0007 \r\nnext \u009b2J';
    const project = await projectWithRun({
      'tasks.jsonl': `${JSON.stringify({ id: 'e1', vars: { question: hostile } })}\n`,
    });
    try {
      const result = await runCli(['show', 'latest', 'e1'], { cwd: project.dir, env: project.env });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('RED');
      expect(result.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    } finally {
      await project.cleanup();
    }
  });

  it('read a database file the user cannot write (opened read-only)', async () => {
    const project = await projectWithRun();
    const { dir, env } = project;
    const database = env.ASSAY_DB!;
    // Root ignores file modes: read as nobody then (tests run as root here, as CI does).
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    try {
      chmodSync(dir, 0o755);
      chmodSync(path.dirname(database), 0o777);
      chmodSync(database, 0o444);
      const commands = [
        ['runs'],
        ['results'],
        ['show', 'latest', 't1'],
        ['export', 'latest', '-f', 'csv'],
        ['compare', 'latest', 'latest'],
        ['history'],
        ['costs'],
        ['cache', 'stats'],
        ['db', 'status'],
        ['db', 'backup', '-o', path.join(path.dirname(database), 'backup.assay')],
      ];
      for (const args of commands) {
        const result = await runCli(args, {
          cwd: dir,
          env: { ASSAY_DB: database },
          ...(user ? { user } : {}),
        });
        expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
      }
    } finally {
      chmodSync(database, 0o644);
      await project.cleanup();
    }
  });
});

describe('a full disk', () => {
  it('names the database or the file and says what to do (exit 3)', async () => {
    const project = await projectWithRun();
    const { dir, env } = project;
    const disk = path.join(dir, 'small-disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    try {
      const database = path.join(disk, 'assay.db');
      expect((await runCli(['db', 'copy', '--to', database], { cwd: dir, env })).code).toBe(0);
      // Leave 48 KB: room for SQLite's shared-memory file, not for a run's writes.
      const { bavail, bsize } = statfsSync(disk);
      writeFileSync(path.join(disk, 'fill'), Buffer.alloc(bavail * bsize - 48 * 1024));
      const run = await runCli(['run', '--no-cache', '--repeat', '300', '--progress', 'none'], {
        cwd: dir,
        env: { ...env, ASSAY_DB: database },
      });
      expectMessage(
        run,
        3,
        new RegExp(`^error: ${database}: (run \\S+ interrupted: )?the disk holding the database is full`),
        /^ {2}fix: free space on that disk/,
      );
      // Now fill the disk to the last block.
      const left = statfsSync(disk);
      writeFileSync(path.join(disk, 'fill-rest'), Buffer.alloc(left.bavail * left.bsize));
      const exported = await runCli(
        ['export', 'latest', '-f', 'html', '-o', path.join(disk, 'report.html')],
        { cwd: dir, env },
      );
      expectMessage(
        exported,
        3,
        /^error: -o: cannot write .*report\.html \(ENOSPC: no space left on the disk\)/,
        /free space on that disk/,
      );
      expect(existsSync(path.join(disk, 'report.html'))).toBe(false);
    } finally {
      execFileSync('umount', [disk]);
      rmSync(disk, { recursive: true, force: true });
      await project.cleanup();
    }
  });
});
