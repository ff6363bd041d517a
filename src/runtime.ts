import { HttpAgents } from './providers/http-agents.js';
import { defaultRegistry, ScorerRegistry } from './scorers/registry.js';

/**
 * What a process shares between the runs it executes: the scorer registry they start from and the
 * HTTP connections their providers use. A CLI makes one per command; a server one per tenant or
 * config, running many runs on it at once. Runs never change it: each run builds its own lanes,
 * budgets, writer and scorer instances from it. Two runtimes share nothing mutable: each has its
 * own registry copy and its own connection pools (module-level caches are bounded, pure memos).
 */
export interface Runtime {
  /** Built-in scorers plus any registered in code (`registerScorer`) when the runtime was made. */
  readonly scorers: ScorerRegistry;
  /** This runtime's keep-alive connection pools; providers get them through `ProviderContext.http`. */
  readonly http: HttpAgents;
  /** Closes the connection pools so the process can exit; the runtime cannot call providers after. */
  close(): Promise<void>;
}

export function createRuntime(): Runtime {
  const http = new HttpAgents();
  return {
    scorers: new ScorerRegistry(defaultRegistry.names().map((name) => defaultRegistry.get(name)!)),
    http,
    close: () => http.close(),
  };
}
