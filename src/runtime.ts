import { defaultRegistry, ScorerRegistry } from './scorers/registry.js';

/**
 * What a process shares between the runs it executes: the scorer registry they start from and the
 * HTTP connections their providers use. A CLI makes one per command; a server one for its life,
 * running many runs on it at once. Runs never change it: each run builds its own lanes, budgets,
 * writer and scorer instances from it.
 */
export interface Runtime {
  /** Built-in scorers plus any registered in code (`registerScorer`) when the runtime was made. */
  readonly scorers: ScorerRegistry;
  /** Closes idle connections so the process can exit. */
  close(): Promise<void>;
}

export function createRuntime(): Runtime {
  return {
    scorers: new ScorerRegistry(defaultRegistry.names().map((name) => defaultRegistry.get(name)!)),
    async close() {
      // Loaded only if a run reached the network.
      const http = await import('./providers/http.js');
      await http.closeHttpAgent();
    },
  };
}
