import type { Migration } from '../../migrator.js';
import { initial } from './0006-initial.js';
import { auditLog } from './0007-audit-log.js';

/**
 * PostgreSQL migrations in version order. Versions match SQLite's (the first one creates version 6
 * at once); add a file `NNNN-name.ts` beside its SQLite twin and list it here.
 */
export const postgresMigrations: readonly Migration[] = [initial, auditLog];
