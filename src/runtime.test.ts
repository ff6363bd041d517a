import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson } from './providers/http.js';
import { HttpAgentsClosedError } from './providers/http-agents.js';
import { createProvider } from './providers/registry.js';
import { createRuntime, type Runtime } from './runtime.js';

/** A local server answering a Chat Completions-shaped body; records the client port of each request by path. */
async function serve(): Promise<{
  url: string;
  ports: Map<string, Set<number>>;
  close: () => Promise<void>;
}> {
  const ports = new Map<string, Set<number>>();
  const server = createServer((request, response) => {
    const seen = ports.get(request.url!) ?? new Set<number>();
    seen.add(request.socket.remotePort!);
    ports.set(request.url!, seen);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ports,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const runtimes: Runtime[] = [];
function runtime(): Runtime {
  const made = createRuntime();
  runtimes.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((each) => each.close()));
});

const call = (made: Runtime, url: string) =>
  sendJson(made.http, 'POST', url, '{}', {}, AbortSignal.timeout(5000), 'test');

const shared = (one: Set<number> | undefined, other: Set<number> | undefined) =>
  [...(one ?? [])].filter((port) => other?.has(port));

describe('runtimes', () => {
  it('never share HTTP connections: each has its own pools, one per runtime rather than per call', async () => {
    const server = await serve();
    try {
      const [first, second] = [runtime(), runtime()];
      expect(first.http.agent()).not.toBe(second.http.agent());
      // One pool per runtime (per connect timeout), not one per call.
      expect(first.http.agent()).toBe(first.http.agent());
      for (let round = 0; round < 3; round++) {
        await Promise.all([call(first, `${server.url}/first`), call(second, `${server.url}/second`)]);
      }
      expect(server.ports.get('/first')?.size).toBeGreaterThan(0);
      expect(server.ports.get('/second')?.size).toBeGreaterThan(0);
      expect(shared(server.ports.get('/first'), server.ports.get('/second'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('give their pools to the providers they build, and a closed runtime calls no more', async () => {
    const server = await serve();
    try {
      const [first, second] = [runtime(), runtime()];
      const build = (made: Runtime, name: string) =>
        createProvider(
          'openai-compatible:m',
          { options: { base_url: `${server.url}/${name}` }, env: {}, baseDir: '.', http: made.http },
          'test',
        );
      const [one, two] = [await build(first, 'first'), await build(second, 'second')];
      const ask = (provider: typeof one) =>
        provider.call({
          messages: [{ role: 'user', content: 'hi' }],
          config: {},
          signal: AbortSignal.timeout(5000),
        });
      expect((await ask(one)).output).toBe('ok');
      expect((await ask(two)).output).toBe('ok');
      const [firstPorts, secondPorts] = [
        server.ports.get('/first/chat/completions'),
        server.ports.get('/second/chat/completions'),
      ];
      expect(firstPorts?.size).toBe(1);
      expect(shared(firstPorts, secondPorts)).toEqual([]);
      await first.close();
      await expect(ask(one)).rejects.toBeInstanceOf(HttpAgentsClosedError);
      // The other runtime goes on.
      expect((await ask(two)).output).toBe('ok');
    } finally {
      await server.close();
    }
  });

  it('each start from their own copy of the scorer registry', () => {
    const [first, second] = [runtime(), runtime()];
    expect(first.scorers).not.toBe(second.scorers);
    expect(first.scorers.names()).toEqual(second.scorers.names());
  });
});
