import { Agent } from 'undici';

const DEFAULT_CONNECT_MS = 10_000;

/** A call made through a runtime that has been closed. */
export class HttpAgentsClosedError extends Error {
  override name = 'HttpAgentsClosedError';
}

/**
 * The keep-alive connection pools of one runtime: one undici Agent per connect timeout (undici sets
 * that timeout on the pool, not per request), made on first use. Providers get them through
 * `ProviderContext.http`, so two runtimes never share a connection; `close()` ends them all.
 */
export class HttpAgents {
  readonly #agents = new Map<number, Agent>();
  #closed = false;

  /** The pool for calls with this connect timeout. */
  agent(connectMs = DEFAULT_CONNECT_MS): Agent {
    if (this.#closed) {
      throw new HttpAgentsClosedError(
        'this runtime is closed: make a new one (createRuntime) to call providers',
      );
    }
    let agent = this.#agents.get(connectMs);
    if (!agent) {
      agent = new Agent({
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connections: null,
        pipelining: 1,
        connect: { timeout: connectMs },
      });
      this.#agents.set(connectMs, agent);
    }
    return agent;
  }

  /** Closes every pool's idle keep-alive connections, so the process can exit at once. */
  async close(): Promise<void> {
    this.#closed = true;
    const open = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(open.map((agent) => agent.close()));
  }
}
