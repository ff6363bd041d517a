import path from 'node:path';
import { stringify } from 'yaml';
import type { Project } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { compileFilters, selectTasks } from '../../executor/select.js';
import { EXIT } from '../../exit-codes.js';
import { longestLength } from '../../report/format.js';
import { addTasks, taskBody } from '../../runs/add-tasks.js';
import type { Task } from '../../types.js';
import { diffLines, formatDiff } from '../../util/diff.js';
import {
  currentActor,
  findVersion,
  formatDate,
  type ProjectFlags,
  printJson,
  withProjectStore,
} from './project-store.js';

function taskYaml(task: Task): string {
  return stringify({ id: task.id, ...taskBody(task) }, { lineWidth: 0 });
}

export interface TasksListFlags extends ProjectFlags {
  suite?: string;
  tag?: string[];
  archived?: boolean;
  json?: boolean;
}

export async function tasksListCommand(flags: TasksListFlags): Promise<number> {
  return withProjectStore(flags, async (project, store) => {
    let tasks = await selectTasks(project, flags.suite ?? null, []);
    if (flags.tag?.length) tasks = tasks.filter(compileFilters(flags.tag.map((tag) => `tag:${tag}`)));
    const archived = await store.archivedTaskIds();
    const rows = tasks
      .filter((task) => Boolean(flags.archived) === archived.has(task.id))
      .map((task) => ({
        id: task.id,
        version: task.version,
        tags: task.tags,
        assertions: task.assert.map((assertion) => assertion.type),
        source: task.source,
        archived: archived.has(task.id),
      }));
    if (flags.json) {
      printJson(rows);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      process.stdout.write(flags.archived ? 'no archived tasks\n' : 'no tasks selected\n');
      return EXIT.ok;
    }
    const idWidth = Math.min(40, longestLength(rows.map((row) => row.id)));
    for (const row of rows) {
      const tags = row.tags.length ? `  [${row.tags.join(', ')}]` : '';
      process.stdout.write(
        `${row.id.padEnd(idWidth)}  ${row.version}  ${row.assertions.join(', ') || '(no assertions)'}${tags}  ${row.source}\n`,
      );
    }
    const hidden = tasks.length - rows.length;
    process.stdout.write(
      `${rows.length} task${rows.length === 1 ? '' : 's'}${!flags.archived && hidden ? ` (${hidden} archived: --archived)` : ''}\n`,
    );
    return EXIT.ok;
  });
}

async function currentTask(project: Project, id: string): Promise<Task | undefined> {
  return (await project.taskSource.all()).tasks.find((task) => task.id === id);
}

export async function tasksShowCommand(
  id: string,
  flags: ProjectFlags & { version?: string; json?: boolean },
): Promise<number> {
  return withProjectStore(flags, async (project, store) => {
    const history = await store.taskHistory(id);
    let task: Task | undefined;
    if (flags.version) {
      const matches = findVersion(
        history.map((entry) => entry.value),
        flags.version,
      );
      if (matches.length !== 1) {
        throw new UserError(
          matches.length
            ? `version "${flags.version}" is ambiguous`
            : `task "${id}" has no version "${flags.version}"`,
          '--version',
          `known versions: ${history.map((entry) => entry.version).join(', ') || '(none)'}`,
        );
      }
      task = matches[0];
    } else {
      task = (await currentTask(project, id)) ?? history.at(-1)?.value;
    }
    if (!task) throw await unknownTask(project, id);
    if (flags.json) printJson({ id: task.id, version: task.version, ...taskBody(task), source: task.source });
    else process.stdout.write(`# version ${task.version} · ${task.source}\n${taskYaml(task)}`);
    return EXIT.ok;
  });
}

export async function tasksHistoryCommand(
  id: string,
  flags: ProjectFlags & { json?: boolean },
): Promise<number> {
  return withProjectStore(flags, async (project, store) => {
    const history = await store.taskHistory(id);
    if (history.length === 0) throw await unknownTask(project, id);
    const current = (await currentTask(project, id))?.version;
    if (flags.json) {
      printJson(
        history.map((entry) => ({
          version: entry.version,
          createdAt: entry.createdAt,
          current: entry.version === current,
          task: taskBody(entry.value),
        })),
      );
      return EXIT.ok;
    }
    history.forEach((entry, index) => {
      const marks = entry.version === current ? ' (current)' : '';
      process.stdout.write(`version ${entry.version}  ${formatDate(entry.createdAt)}${marks}\n`);
      const previous = history[index - 1];
      const diff = previous ? formatDiff(diffLines(taskYaml(previous.value), taskYaml(entry.value))) : '';
      if (diff) process.stdout.write(`${diff.replace(/^/gm, '    ')}\n`);
    });
    return EXIT.ok;
  });
}

async function unknownTask(project: Project, id: string): Promise<UserError> {
  const near = (await project.taskSource.all()).tasks
    .map((task) => task.id)
    .filter((other) => other.includes(id) || id.includes(other));
  return new UserError(
    `no task "${id}"`,
    'tasks',
    near.length ? `did you mean ${near.slice(0, 3).join(', ')}?` : 'list tasks with `assay tasks list`',
  );
}

export async function tasksAddCommand(
  flags: ProjectFlags & { fromFile: string; to?: string },
): Promise<number> {
  return withProjectStore(flags, async (project, store) => {
    const outcome = await addTasks(project, store, {
      fromFile: flags.fromFile,
      to: flags.to ?? 'tasks/added.yaml',
      actor: await currentActor(),
    });
    const { added, alreadyPresent, destination } = outcome;
    process.stdout.write(
      `added ${added.length} task${added.length === 1 ? '' : 's'} to ${destination}${alreadyPresent > 0 ? ` (${alreadyPresent} already present)` : ''}\n`,
    );
    if (added.length > 0 && !outcome.covered) {
      process.stderr.write(
        `note: add "${destination}" to \`tasks:\` in ${path.basename(project.configPath)} so runs include it\n`,
      );
    }
    return EXIT.ok;
  });
}

export async function tasksRemoveCommand(id: string, flags: ProjectFlags): Promise<number> {
  return withProjectStore(flags, async (project, store) => {
    if (!(await currentTask(project, id)) && (await store.taskHistory(id)).length === 0)
      throw await unknownTask(project, id);
    await store.archiveTask(id, Date.now(), await currentActor());
    process.stdout.write(
      `archived task "${id}": runs skip it from now on; its versions and old results stay (undo: assay tasks restore ${id})\n`,
    );
    return EXIT.ok;
  });
}

export async function tasksRestoreCommand(id: string, flags: ProjectFlags): Promise<number> {
  return withProjectStore(flags, async (_project, store) => {
    const archived = await store.archivedTaskIds();
    if (!archived.has(id))
      throw new UserError(
        `task "${id}" is not archived`,
        'tasks restore',
        'see `assay tasks list --archived`',
      );
    await store.restoreTask(id, await currentActor());
    process.stdout.write(`restored task "${id}"\n`);
    return EXIT.ok;
  });
}
