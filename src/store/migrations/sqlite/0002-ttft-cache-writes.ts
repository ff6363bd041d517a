import type { Migration } from '../../migrator.js';

/**
 * Time to first token for streamed calls, prompt-cache writes (Anthropic cache_creation), and
 * whether an answer was an expired cache entry served because the provider was down, and the log
 * of attempts when one failed, and our own price when the provider reported a cost of its own.
 */
export const ttftCacheWrites: Migration = {
  version: 2,
  name: 'ttft-cache-writes',
  sql: `
ALTER TABLE results ADD COLUMN ttft_ms REAL;
ALTER TABLE results ADD COLUMN cache_write_input_tokens INTEGER;
ALTER TABLE results ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN attempts_json TEXT;
ALTER TABLE results ADD COLUMN computed_cost_usd REAL;
`,
};
