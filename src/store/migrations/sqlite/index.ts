import type { Migration } from '../../migrator.js';
import { initial } from './0001-initial.js';
import { ttftCacheWrites } from './0002-ttft-cache-writes.js';
import { costsHistoryArchive } from './0003-costs-history-archive.js';
import { promptGitTag } from './0004-prompt-git-tag.js';
import { leanResultIndexes } from './0005-lean-result-indexes.js';
import { runLeases } from './0006-run-leases.js';
import { auditLog } from './0007-audit-log.js';

/** SQLite migrations in version order. Add a file `NNNN-name.ts` and list it here. */
export const sqliteMigrations: readonly Migration[] = [
  initial,
  ttftCacheWrites,
  costsHistoryArchive,
  promptGitTag,
  leanResultIndexes,
  runLeases,
  auditLog,
];
