import type { Migration } from '../../migrator.js';

/** Time to first token for streamed calls, and prompt-cache writes (Anthropic cache_creation). */
export const ttftCacheWrites: Migration = {
  version: 2,
  name: 'ttft-cache-writes',
  sql: `
ALTER TABLE results ADD COLUMN ttft_ms REAL;
ALTER TABLE results ADD COLUMN cache_write_input_tokens INTEGER;
`,
};
