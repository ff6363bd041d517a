/**
 * The mock LLM server: a real HTTP server on loopback that stands in for every provider in tests, the
 * demo and benchmarks. It speaks each provider's wire format (one dialect file each), injects faults on
 * request, and journals what it received.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Dialect } from './dialect.js';
import { anthropicDialect } from './dialects/anthropic.js';
import { customDialect } from './dialects/custom.js';
import { geminiDialect } from './dialects/gemini.js';
import { ollamaDialect } from './dialects/ollama.js';
import { openAiDialect } from './dialects/openai.js';
import { openAiResponsesDialect } from './dialects/openai-responses.js';
import { MockHandler } from './handler.js';
import type { JournalEntry } from './journal.js';
import { type MockServerOptions, resolveOptions } from './options.js';

export { CONTROL_HEADERS } from './faults.js';
export type { JournalEntry } from './journal.js';
export type { MockServerOptions } from './options.js';

/** A running mock server. */
export interface MockServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43121`; OpenAI clients use `${url}/v1`. */
  url: string;
  port: number;
  /** Model-plane requests received so far (control-plane requests are not recorded). */
  journal(): JournalEntry[];
  /** Clears the journal, fail-times counters, rate-limit usage, and restarts the seeded fault sequence. */
  reset(): void;
  /** Stops listening and destroys every open connection, hung ones included. */
  close(): Promise<void>;
}

// The first dialect also renders errors for paths no dialect serves or claims (see `Dialect.claims`).
const DIALECTS: readonly [Dialect, ...Dialect[]] = [
  openAiDialect,
  geminiDialect,
  anthropicDialect,
  ollamaDialect,
  customDialect,
  openAiResponsesDialect,
];

/** Starts a mock server and resolves once it is listening. */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const resolved = resolveOptions(options);
  const handler = new MockHandler(resolved, DIALECTS);
  const server = createServer(handler.listener);
  // Longer than undici's default keep-alive, so pooled client sockets are reused rather than raced.
  server.keepAliveTimeout = 60_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, resolved.port, resolved.host);
  const { port } = server.address() as AddressInfo;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    journal: () => handler.journal?.list() ?? [],
    reset: () => handler.reset(),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        handler.close();
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
