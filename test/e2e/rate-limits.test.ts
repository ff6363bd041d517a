import { afterEach, describe, expect, it } from 'vitest';
import { type MockServer, type MockServerOptions, startMockServer } from '../../src/mock/server.js';
import { arithmeticTasks, makeProject, parseReport, questionOf, runCli, startCli } from './helpers.js';

// The issue's server at a small scale: 1,200 a minute (20 a second), 40 calls: about two seconds.
const TASKS = 40;
const SCALED: MockServerOptions = { rpm: 1200 };

/** The question of a chat request in any dialect (Gemini puts it in `contents`). */
function askedIn(body: unknown): string {
  const contents = (body as { contents?: Array<{ parts: Array<{ text: string }> }> }).contents;
  return contents ? (contents.at(-1)?.parts[0]?.text.trim() ?? '') : questionOf(body);
}

const TARGETS = {
  openai: (url: string) => `  - id: openai:gpt-4o-mini\n    base_url: ${url}/v1`,
  anthropic: (url: string) => `  - id: anthropic:claude-3-5-haiku-latest\n    base_url: ${url}`,
  gemini: (url: string) => `  - id: google:gemini-2.5-flash\n    base_url: ${url}`,
};

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function runAgainst(
  options: MockServerOptions,
  target: keyof typeof TARGETS,
  extra: { concurrency?: number; rateLimit?: string } = {},
) {
  mock = await startMockServer(options);
  const { dir, cleanup } = await makeProject({
    'assay.yaml': `prompts: [prompts/q.njk]
targets:
${TARGETS[target](mock.url)}
    config: { max_tokens: 16 }
${extra.rateLimit ? `    rate_limit: ${extra.rateLimit}\n` : ''}tasks: [tasks/gen.jsonl]
defaults: { concurrency: ${extra.concurrency ?? 10} }
`,
    'prompts/q.njk': '{{ question }}',
    'tasks/gen.jsonl': arithmeticTasks(TASKS),
  });
  try {
    const result = await runCli(['run', '--no-cache', '--progress', 'none', '--json'], {
      cwd: dir,
      env: {
        OPENAI_API_KEY: 'sk-test-rate',
        ANTHROPIC_API_KEY: 'sk-ant-test-rate',
        GEMINI_API_KEY: 'gm-test-rate',
        ASSAY_DB: `${dir}/.assay/assay.db`,
      },
    });
    return { result, journal: mock.journal() };
  } finally {
    await cleanup();
  }
}

/** Every case passed, each question was answered exactly once, few requests were refused, and stderr is silent. */
function expectClean({ result, journal }: Awaited<ReturnType<typeof runAgainst>>, refusedAtMost: number) {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const report = parseReport(result.stdout);
  expect(report.summary.passed).toBe(TASKS);
  const answered = journal.filter((entry) => entry.status === 200).map((entry) => askedIn(entry.body));
  expect(answered).toHaveLength(TASKS);
  expect(new Set(answered).size).toBe(TASKS);
  expect(journal.filter((entry) => entry.status === 429).length).toBeLessThanOrEqual(refusedAtMost);
}

describe('learning rate limits from the server (no limit configured)', () => {
  it('follows fixed windows from OpenAI headers, though retry-after says whole seconds', async () => {
    expectClean(await runAgainst({ ...SCALED, rateWindow: 'fixed', retryHint: 'seconds' }, 'openai'), 2);
  });

  it('follows a bucket refilled continuously from Anthropic headers (RFC 3339 resets)', async () => {
    expectClean(await runAgainst(SCALED, 'anthropic'), 2);
  });

  it('learns the rate of a server that sends no headers and a bare 429', async () => {
    expectClean(await runAgainst({ ...SCALED, rateHeaders: 'none', retryHint: 'none' }, 'openai'), 6);
  });

  it('learns the rate of Gemini, which only says RetryInfo on a 429', async () => {
    expectClean(await runAgainst({ ...SCALED, rateWindow: 'fixed' }, 'gemini'), 6);
  });

  it('waits on limits with 50 calls at once without a warning on stderr', async () => {
    expectClean(await runAgainst({ ...SCALED, rateWindow: 'fixed' }, 'openai', { concurrency: 50 }), 2);
  });

  it('keeps a configured limit against fixed windows without refusals piling up', async () => {
    expectClean(
      await runAgainst({ ...SCALED, rateWindow: 'fixed' }, 'openai', { rateLimit: '{ rpm: 1200 }' }),
      2,
    );
  });
});

describe('waiting in retries', () => {
  it('prints no listener warning when many calls back off from server errors at once', async () => {
    mock = await startMockServer({ failRate: 0.4, seed: 2 });
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    base_url: ${mock.url}/v1
tasks: [tasks/gen.jsonl]
defaults: { concurrency: 30, retries: 4 }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(30),
    });
    try {
      const result = await runCli(['run', '--no-cache', '--progress', 'none', '--json'], {
        cwd: dir,
        env: { OPENAI_API_KEY: 'sk-test-rate', ASSAY_DB: `${dir}/.assay/assay.db` },
      });
      expect(result.stderr).toBe('');
      expect(parseReport(result.stdout).summary.passed).toBe(30);
      // Many calls really did wait at once.
      expect(mock.journal().filter((entry) => entry.status === 500).length).toBeGreaterThan(15);
    } finally {
      await cleanup();
    }
  });
});

describe('assay mock-server rate-limit flags', () => {
  it('keeps fixed windows and rounds the hint to seconds as asked', async () => {
    const { child, done } = startCli(
      [
        'mock-server',
        '--port',
        '0',
        '--rpm',
        '600',
        '--rate-window',
        'fixed',
        '--rate-window-ms',
        '60000',
        '--retry-hint',
        'seconds',
      ],
      { cwd: process.cwd() },
    );
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    try {
      await expect.poll(() => stdout, { timeout: 5000 }).toMatch(/rate limits per API key/);
      expect(stdout).toContain('600 RPM (fixed windows of 60000 ms; headers: dialect; retry hint: seconds)');
      const url = /listening on (http:\/\/\S+)/.exec(stdout)![1]!;
      const ask = () =>
        fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-flags' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        });
      const answers = await Promise.all(Array.from({ length: 601 }, ask));
      const refused = answers.filter((response) => response.status === 429);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.headers.get('retry-after-ms')).toBeNull();
      expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      child.kill('SIGTERM');
      await done;
    }
  });

  it('rejects an unknown rate window with exit 2, naming the flag and the choices', async () => {
    const result = await runCli(['mock-server', '--port', '0', '--rate-window', 'sliding'], {
      cwd: process.cwd(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--rate-window must be one of bucket, fixed, got "sliding"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
