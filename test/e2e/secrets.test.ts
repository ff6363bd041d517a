import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from './helpers.js';

// Canary values: if any of them shows up in a stored byte or a printed line, a secret leaked.
const GATEWAY = 'canary-gateway-7c1e9a40b2d35f68';
const OTHER_GATEWAY = 'canary-other-3b8d02f7e61ca954';
const QUERY_KEY = 'canary-query-95a7e3c08d1b24f6';
const API_KEY = 'canary-apikey-1f2e3d4c5b6a7980';
const CANARIES = [GATEWAY, OTHER_GATEWAY, QUERY_KEY, API_KEY];
const ENCODED = CANARIES.flatMap((value) => [value, Buffer.from(value).toString('base64').slice(0, 20)]);

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  content: string;
}

/**
 * A hostile OpenAI-compatible server: it echoes every header and the URL back, in the answer's
 * usage object and, for prompts that say "fail", in a 400 error body.
 */
function echoServer(seen: Seen[]): Server {
  return createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const parsed = JSON.parse(body) as { messages: Array<{ content: string }> };
      const content = parsed.messages.at(-1)?.content ?? '';
      seen.push({ url: request.url ?? '', headers: request.headers, content });
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
                content: `ok, your token is ${String(request.headers['x-gateway-token'])}`,
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

describe('secrets never reach the store, the cache or any output', () => {
  const seen: Seen[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = echoServer(seen);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('headers and URL keys from ${VAR} are sent, kept as references when stored, and redacted everywhere', async () => {
    const project = await makeProject({
      'assay.yaml': [
        'prompts: [prompts/ask.njk]',
        'tasks: [tasks/t.yaml]',
        'targets:',
        '  - id: openai-compatible:m',
        '    label: team-a',
        '    base_url: "${BASE}?key=${QUERY_KEY}"',
        '    api_key_env: TEST_API_KEY',
        '    headers: { x-gateway-token: "${GATEWAY_TOKEN}" }',
        '    config: { temperature: 0 }',
        '  - id: openai-compatible:m',
        '    label: team-b',
        '    base_url: "${BASE}?key=${QUERY_KEY}"',
        '    api_key_env: TEST_API_KEY',
        '    headers: { x-gateway-token: "${OTHER_TOKEN}" }',
        '    config: { temperature: 0 }',
        '',
      ].join('\n'),
      'prompts/ask.njk': '{{ q }}',
      'tasks/t.yaml': [
        '- id: hello',
        '  vars: { q: "say hello" }',
        '  assert: [{ type: contains, value: ok }]',
        '- id: broken',
        '  vars: { q: "please fail" }',
        '',
      ].join('\n'),
    });
    const env = {
      BASE: base,
      QUERY_KEY,
      GATEWAY_TOKEN: GATEWAY,
      OTHER_TOKEN: OTHER_GATEWAY,
      TEST_API_KEY: API_KEY,
    };
    const outputs: string[] = [];
    const cli = async (args: string[]) => {
      const result = await runCli(args, { cwd: project.dir, env });
      outputs.push(`$ assay ${args.join(' ')}\n${result.stdout}${result.stderr}`);
      return result;
    };
    try {
      const run = await cli(['run', '--json', '--progress', 'none']);
      expect(run.code, run.stderr).toBe(1); // `broken` errors
      // Two targets differing only in a header: each made its own call, with its own header.
      const hello = seen.filter((entry) => entry.content === 'say hello');
      expect(hello.map((entry) => entry.headers['x-gateway-token']).sort()).toEqual(
        [GATEWAY, OTHER_GATEWAY].sort(),
      );
      expect(hello.map((entry) => entry.url)).toEqual(
        [1, 2].map(() => `/v1/chat/completions?key=${QUERY_KEY}`),
      );
      expect(hello.every((entry) => entry.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);

      // A second run answers from the cache: still one answer per header, never the other's.
      const again = await cli(['run', '--json', '--progress', 'none']);
      const report = JSON.parse(again.stdout) as {
        results: Array<{ target: string; output: string; cached: boolean }>;
      };
      const outputsByTarget = Object.fromEntries(
        report.results.filter((result) => result.cached).map((result) => [result.target, result.output]),
      );
      expect(outputsByTarget).toEqual({
        'team-a': 'ok, your token is ${GATEWAY_TOKEN}',
        'team-b': 'ok, your token is ${OTHER_TOKEN}',
      });

      await cli(['results', '--json']);
      await cli(['results']);
      await cli(['runs']);
      await cli(['show', 'latest', 'broken']);
      await cli(['show', 'latest', 'broken', '--json']);
      for (const format of ['json', 'jsonl', 'csv', 'junit', 'markdown', 'html'])
        await cli(['export', 'latest', '--format', format]);
      await cli(['providers', 'test', 'team-a']);
      await cli(['providers', 'test', 'team-a', '--json']);
      await cli(['cache', 'stats']);

      const printed = outputs.join('\n');
      for (const canary of ENCODED) expect(printed).not.toContain(canary);
      // The error message is still there to act on, with the reference in place of the value.
      expect(printed).toContain('${GATEWAY_TOKEN}');

      // Every byte the store holds (database, WAL), after the runs.
      const dir = path.join(project.dir, '.assay');
      for (const file of await readdir(dir)) {
        const bytes = await readFile(path.join(dir, file));
        for (const canary of ENCODED) expect(bytes.includes(canary), `${file} holds ${canary}`).toBe(false);
      }
      // The stored target config keeps the references as written.
      const dump = (await readFile(path.join(dir, 'assay.db'))).toString('latin1');
      expect(dump).toContain('${GATEWAY_TOKEN}');
      expect(dump).toContain('?key=${QUERY_KEY}');
    } finally {
      await project.cleanup();
    }
  });
});
