/** Version histories of tasks and prompts, in SQL that every dialect runs. */
import type { Kysely } from 'kysely';
import type { PromptTemplate, Task } from '../types.js';
import { fromPromptVersionRow, fromTaskVersionRow } from './rows.js';
import type { Database } from './schema.js';
import type { TaskIdSummary, VersionRecord } from './store.js';

export async function selectTaskHistory(
  db: Kysely<Database>,
  taskId: string,
): Promise<VersionRecord<Task>[]> {
  const rows = await db
    .selectFrom('task_versions')
    .selectAll()
    .where('task_id', '=', taskId)
    // Versions stored in the same call share a time; the version breaks the tie the same way every time.
    .orderBy('created_at')
    .orderBy('version')
    .execute();
  return rows.map((row) => ({
    version: row.version,
    createdAt: row.created_at,
    value: fromTaskVersionRow(row),
  }));
}

export async function selectPromptHistory(
  db: Kysely<Database>,
  name: string,
): Promise<VersionRecord<PromptTemplate>[]> {
  const rows = await db
    .selectFrom('prompt_versions')
    .selectAll()
    .where('name', '=', name)
    .orderBy('created_at')
    .orderBy('version')
    .execute();
  return rows.map((row) => ({
    version: row.version,
    createdAt: row.created_at,
    value: fromPromptVersionRow(row),
  }));
}

export async function selectTaskIds(db: Kysely<Database>): Promise<TaskIdSummary[]> {
  const rows = await db
    .selectFrom('task_versions')
    .leftJoin('task_archive', 'task_archive.task_id', 'task_versions.task_id')
    .select((eb) => [
      'task_versions.task_id',
      eb.fn.countAll<number>().as('versions'),
      eb.fn.max('task_versions.created_at').as('latest_at'),
      'task_archive.archived_at',
    ])
    .groupBy(['task_versions.task_id', 'task_archive.archived_at'])
    .orderBy('task_versions.task_id')
    .execute();
  return rows.map((row) => ({
    taskId: row.task_id,
    versions: Number(row.versions),
    latestAt: Number(row.latest_at),
    archivedAt: row.archived_at === null ? null : Number(row.archived_at),
  }));
}
