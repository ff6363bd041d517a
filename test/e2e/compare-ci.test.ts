import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import type { CompareJson } from '../../src/report/compare-json.js';
import { makeProject, mockEnv, parseReport, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const TARGET = 'openai:gpt-4o-mini';
const GOOD_PROMPT = 'What is {{ a }} + {{ b }}?';
// The kind of slip a prompt edit makes: an extra term for some inputs, so tasks with a > 12 fail.
const BROKEN_PROMPT = 'What is {{ a }} + {{ b }}{% if a > 12 %} + 1{% endif %}?';

function config(headers = ''): string {
  return `prompts: [prompts/q.njk]
targets:
  - id: ${TARGET}
    config: { temperature: 0, max_tokens: 32 }${headers}
tasks: [tasks/sums.jsonl]
suites:
  all: { tasks: [tasks/sums.jsonl] }
defaults: { concurrency: 4, retries: 0 }
`;
}

/** 20 sums t01..t20; the ones the broken prompt gets wrong (a > 12) are tagged `hard`. */
function sums(count = 20): string {
  const lines: string[] = [];
  for (let a = 1; a <= count; a++) {
    lines.push(
      JSON.stringify({
        id: `t${String(a).padStart(2, '0')}`,
        vars: { a, b: 1000 },
        expected: String(a + 1000),
        tags: a > 12 ? ['hard'] : [],
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function project(headers = '', count = 20) {
  return makeProject({
    'assay.yaml': config(headers),
    'prompts/q.njk': GOOD_PROMPT,
    'tasks/sums.jsonl': sums(count),
  });
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

describe('assay compare and assay history', () => {
  it('calls a prompt edit that breaks 8 of 20 sums worse, lists the regressions and the McNemar p', async () => {
    const { dir, cleanup } = await project();
    const env = mockEnv(mock.url, dir);
    try {
      const first = await runCli(['run', '--json'], { cwd: dir, env });
      expect(first.code).toBe(0);
      const runA = parseReport(first.stdout).run.id;
      await writeFile(path.join(dir, 'prompts/q.njk'), BROKEN_PROMPT);
      const second = await runCli(['run', '--json'], { cwd: dir, env });
      expect(second.code).toBe(1);
      const runB = parseReport(second.stdout).run.id;

      const text = await runCli(['compare', runA, runB], { cwd: dir, env });
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(
        `${TARGET}  WORSE  McNemar p = 0.00781 < 0.05 (8 regressions, 0 improvements of 20 aligned items)`,
      );
      expect(text.stdout).toMatch(/changed {2}prompt q \w+ → \w+/);
      expect(text.stdout).toContain('8 regressions (passed in A, not in B)');
      expect(text.stdout).toMatch(/t13\s+passed → failed\s+equals: /);
      expect(text.stdout).toContain(`assay show ${runB} t13 --target ${TARGET}`);

      const json = await runCli(['compare', runA.slice(0, 8), runB, '--json', '--seed', '7'], {
        cwd: dir,
        env,
      });
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as CompareJson;
      expect(report).toMatchObject({ schemaVersion: 1, metric: 'pass_rate', seed: '7', confounded: [] });
      expect(report.changes.map((change) => change.kind)).toContain('prompt');
      const [target] = report.targets;
      expect(target).toMatchObject({ a: TARGET, b: TARGET, aligned: 20, verdict: 'worse' });
      expect(target!.regressions.map((flip) => flip.taskId)).toEqual([
        't13',
        't14',
        't15',
        't16',
        't17',
        't18',
        't19',
        't20',
      ]);
      expect(target!.passFail.pValue).toBeCloseTo(2 / 256, 10);
      const again = await runCli(['compare', runA, runB, '--json', '--seed', '7'], { cwd: dir, env });
      expect(JSON.parse(again.stdout)).toEqual(report);

      const markdown = await runCli(['compare', runA, runB, '--markdown'], { cwd: dir, env });
      expect(markdown.stdout).toContain(`| ${TARGET} | 🔴 worse | 100.0% → 60.0% |`);

      const history = await runCli(['history'], { cwd: dir, env });
      expect(history.code).toBe(0);
      expect(history.stdout).toContain('pass rate over 2 runs (all suites · all targets), oldest first');
      expect(history.stdout).toContain('█▁');
      expect(history.stdout).toContain(`* prompt q, target ${TARGET} changed`);
      expect(history.stdout).toMatch(/60\.0% \(12\/20\)/);
      const historyJson = await runCli(['history', '--json', '--target', TARGET], { cwd: dir, env });
      const trend = JSON.parse(historyJson.stdout) as { runs: Array<{ runId: string; value: number }> };
      expect(trend.runs.map((point) => [point.runId, point.value])).toEqual([
        [runA, 1],
        [runB, 0.6],
      ]);

      const unknown = await runCli(['compare', runA, 'no-such-run'], { cwd: dir, env });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no run "no-such-run"');
    } finally {
      await cleanup();
    }
  });
});

describe('assay ci', () => {
  it('fails the regression gate on the broken prompt, writes the three files, and honours --allow-fail', async () => {
    const { dir, cleanup } = await project();
    const env = mockEnv(mock.url, dir);
    const out = (name: string) => path.join(dir, name);
    try {
      const first = await runCli(['ci', '--suite', 'all', '--out-dir', 'first'], { cwd: dir, env });
      expect(first.code).toBe(0);
      expect(lastLine(first.stdout)).toBe(
        'assay ci: exit 0: no baseline, so gating on failures: no item failed',
      );
      expect(first.stderr).toContain('no baseline (no completed run of suite "all" yet)');
      const baseline = (
        JSON.parse(await readFile(out('first/assay-report.json'), 'utf8')) as { run: { id: string } }
      ).run.id;

      await writeFile(path.join(dir, 'prompts/q.njk'), BROKEN_PROMPT);
      const broken = await runCli(
        ['ci', '--suite', 'all', '--fail-on', 'regression', '--out-dir', 'broken'],
        {
          cwd: dir,
          env,
        },
      );
      expect(broken.code).toBe(1);
      expect(lastLine(broken.stdout)).toBe(
        `assay ci: exit 1: 8 regressions: passed in the baseline, not now (t13 on ${TARGET}, t14 on ${TARGET}, t15 on ${TARGET}, t16 on ${TARGET}, t17 on ${TARGET}, … 3 more)`,
      );
      const markdown = await readFile(out('broken/assay-report.md'), 'utf8');
      expect(markdown.startsWith('<!-- assay-report -->\n## ❌ Assay CI failed\n')).toBe(true);
      expect(markdown).toContain(`| ${TARGET} | 🔴 worse | 100.0% → 60.0% | -40.0 pp`);
      expect(markdown).toContain('**Regressions (8)**: passed in A, not in B');
      expect(markdown).toContain(`assay compare ${baseline} `);
      const junit = await readFile(out('broken/assay-junit.xml'), 'utf8');
      expect(junit.match(/<testcase /g)).toHaveLength(20);
      expect(junit).toContain('tests="20" failures="8" errors="0"');
      const json = JSON.parse(await readFile(out('broken/assay-report.json'), 'utf8'));
      expect(json).toMatchObject({
        schemaVersion: 1,
        exitCode: 1,
        gate: { failOn: 'regression', passed: false },
        baseline: { id: baseline },
        summary: { total: 20, passed: 12, failed: 8 },
        comparison: { targets: [{ verdict: 'worse' }] },
      });

      // The same broken run against the first baseline, with the hard tasks allowed to fail.
      const allowed = await runCli(
        ['ci', '--suite', 'all', '--baseline', baseline, '--allow-fail', 'tag:hard', '--out-dir', 'allowed'],
        { cwd: dir, env },
      );
      expect(allowed.code).toBe(0);
      expect(lastLine(allowed.stdout)).toBe(
        `assay ci: exit 0: no regressions against baseline ${baseline.slice(0, 8)}; 8 items allowed to fail`,
      );
      const allowedReport = await readFile(out('allowed/assay-report.md'), 'utf8');
      expect(allowedReport).toContain('## ✅ Assay CI passed');
      expect(allowedReport).toContain('`--allow-fail tag:hard` (8 allowed failures)');
      expect(allowedReport).toContain('**Regressions (8)**'); // reported, though they do not fail the job

      const strict = await runCli(
        [
          'ci',
          '--suite',
          'all',
          '--baseline',
          baseline,
          '--fail-on',
          'any-failure',
          '--min-pass-rate',
          '0.9',
        ],
        { cwd: dir, env },
      );
      expect(strict.code).toBe(1);
      expect(lastLine(strict.stdout)).toContain(
        `pass rate of ${TARGET} 60% (12/20) is below --min-pass-rate 90%`,
      );
    } finally {
      await cleanup();
    }
  });

  it('rejects bad flags with exit code 2', async () => {
    const { dir, cleanup } = await project();
    const env = mockEnv(mock.url, dir);
    try {
      for (const [flags, message] of [
        [
          ['--fail-on', 'sometimes'],
          /--fail-on must be one of regression, significant-regression, any-failure/,
        ],
        [['--min-pass-rate', '2'], /--min-pass-rate must be a number from 0 to 1/],
        [['--max-time', '0'], /--max-time must be above 0/],
        [['--allow-fail', 'flaky'], /invalid --allow-fail "flaky"/],
        [['--baseline', 'no-such-ref'], /--baseline "no-such-ref" is neither a run id nor a git ref/],
      ] as const) {
        const result = await runCli(['ci', '--suite', 'all', ...flags], { cwd: dir, env });
        expect(result.code, flags.join(' ')).toBe(2);
        expect(result.stderr).toMatch(message);
      }
      const missing = await runCli(['ci'], { cwd: dir, env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--suite is required');
      const noSuite = await runCli(['ci', '--suite', 'nope'], { cwd: dir, env });
      expect(noSuite.code).toBe(2);
      expect(noSuite.stderr).toContain('unknown suite "nope"');
      expect(mock.journal()).toHaveLength(0);
    } finally {
      await cleanup();
    }
  });

  it('--max-time stops a slow run at the deadline and the report says it was cut short', async () => {
    const { dir, cleanup } = await project('\n    headers: { x-mock-latency-ms: "600" }', 12);
    const env = mockEnv(mock.url, dir);
    try {
      const result = await runCli(
        ['ci', '--suite', 'all', '-j', '1', '--max-time', '1.5', '--out-dir', 'out'],
        {
          cwd: dir,
          env,
        },
      );
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('--max-time 1.5s reached: finishing calls in flight, starting no more');
      const json = JSON.parse(await readFile(path.join(dir, 'out/assay-report.json'), 'utf8'));
      expect(json.run.status).toBe('interrupted');
      expect(json.run.cutShort).toMatchObject({ maxTimeMs: 1500, planned: 12 });
      expect(json.run.cutShort.finished).toBeLessThan(12);
      expect(json.summary.total).toBe(json.run.cutShort.finished);
      const markdown = await readFile(path.join(dir, 'out/assay-report.md'), 'utf8');
      expect(markdown).toContain(
        `> The run was cut short at the 1.5s time limit (\`--max-time\`): ${json.run.cutShort.finished} of 12 planned items finished.`,
      );
      expect(lastLine(result.stdout)).toMatch(
        /^assay ci: exit 0: cut short by --max-time \(\d+ of 12 items finished\); /,
      );
    } finally {
      await cleanup();
    }
  });
});

describe('assay init --ci github', () => {
  it('writes the three workflows, then refuses to overwrite them without --force', async () => {
    const { dir, cleanup } = await makeProject({});
    try {
      const created = await runCli(['init', 'evals', '--ci', 'github'], { cwd: dir });
      expect(created.code).toBe(0);
      const workflow = await readFile(path.join(dir, 'evals/.github/workflows/assay.yml'), 'utf8');
      expect(workflow).toContain('npx assay ci --suite critical --baseline latest-on-main');
      expect(workflow).toContain("const marker = '<!-- assay-report -->';");
      expect(workflow).toContain('actions/cache@v4');
      expect(workflow).toContain('npx assay export latest --format html -o assay-report.html');
      expect(workflow).toContain('working-directory: .');
      expect(workflow).not.toContain('__ASSAY_');
      for (const name of ['assay-nightly.yml', 'assay-manual.yml']) {
        await expect(readFile(path.join(dir, 'evals/.github/workflows', name), 'utf8')).resolves.toContain(
          'npx assay ci --suite',
        );
      }
      await expect(readFile(path.join(dir, 'evals/assay.yaml'), 'utf8')).resolves.toContain('comprehensive:');

      // An existing project gets only the workflows; existing workflows are kept without --force.
      const again = await runCli(['init', 'evals', '--ci', 'github'], { cwd: dir });
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/workflows\/assay[\w-]*\.yml already exists[\s\S]*--force/);
      const forced = await runCli(['init', 'evals', '--ci', 'github', '--force'], { cwd: dir });
      expect(forced.code).toBe(0);
      expect(forced.stdout).toContain('added CI workflows:');
      expect(forced.stdout).not.toMatch(/^ +assay\.yaml$/m);

      const unknown = await runCli(['init', 'other', '--ci', 'jenkins'], { cwd: dir });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown --ci "jenkins"');
    } finally {
      await cleanup();
    }
  });
});

describe('assay ci computes a missing baseline at a git ref', () => {
  it('runs the suite on the files of that commit, stores the run, then compares', async () => {
    const { dir, cleanup } = await project();
    const env = {
      ...mockEnv(mock.url, dir),
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
    };
    const git = (...args: string[]) => execGit(dir, env, args);
    try {
      await git('init', '-q', '-b', 'main');
      await git('add', '.');
      await git('commit', '-q', '-m', 'good prompt');
      await git('tag', 'v1');
      // Prompt versions record the commit that last changed them and the tags at it.
      const history = JSON.parse(
        (await runCli(['prompts', 'history', 'q', '--json'], { cwd: dir, env })).stdout,
      ) as Array<{
        gitCommit: string | null;
        gitTag: string | null;
      }>;
      expect(history).toEqual([
        expect.objectContaining({ gitCommit: expect.stringMatching(/^[0-9a-f]{40}$/), gitTag: 'v1' }),
      ]);
      await writeFile(path.join(dir, 'prompts/q.njk'), BROKEN_PROMPT);
      await git('commit', '-qam', 'broken prompt');

      const ci = await runCli(['ci', '--suite', 'all', '--baseline', 'v1', '--out-dir', 'out'], {
        cwd: dir,
        env,
      });
      expect(ci.stderr).toMatch(/computing the baseline at v1/);
      expect(ci.stderr).toMatch(/baseline: computed now at v1/);
      expect(ci.code).toBe(1); // the broken prompt regresses against the computed baseline
      const report = await readFile(path.join(dir, 'out', 'assay-report.md'), 'utf8');
      expect(report).toMatch(/computed now at v1/);
      expect(report).toMatch(/worse/i);

      // The computed run was stored with the tag's commit: the next CI run finds it without running it again.
      mock.reset();
      const again = await runCli(['ci', '--suite', 'all', '--baseline', 'v1', '--out-dir', 'out2'], {
        cwd: dir,
        env,
      });
      expect(again.stderr).not.toMatch(/computing the baseline/);
      expect(again.stderr).toMatch(/baseline: latest completed run of suite "all" at v1/);
      expect(mock.journal()).toHaveLength(0); // and the current run is answered from the cache

      // A new commit has no stored run; --no-compute-baseline gates on failures instead of running it.
      await writeFile(path.join(dir, 'README.md'), 'notes\n');
      await git('add', 'README.md');
      await git('commit', '-qm', 'docs');
      const none = await runCli(
        ['ci', '--suite', 'all', '--baseline', 'HEAD', '--no-compute-baseline', '--out-dir', 'out3'],
        { cwd: dir, env },
      );
      expect(none.stderr).not.toMatch(/computing the baseline/);
      expect(none.stderr).toMatch(/no baseline \(no completed run of suite "all" was made at HEAD\)/);
    } finally {
      await cleanup();
    }
  });
});

function execGit(cwd: string, env: Record<string, string>, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: { ...process.env, ...env } }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}
