import type { Migration } from '../../migrator.js';

/**
 * Drops `results_run_status`, an index every stored result paid a B-tree insert for while no query
 * needs it: the primary key (run_id, item_id) already finds a run's rows, which a query then filters
 * by status (a run holds at most some hundred thousand rows). `results_run_created` stays: paged
 * listings of a run read through it in order instead of sorting the whole run for every page.
 */
export const leanResultIndexes: Migration = {
  version: 5,
  name: 'lean-result-indexes',
  sql: `
DROP INDEX IF EXISTS results_run_status;
`,
};
