import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Project } from '../config/load.js';
import { loadTaskFile } from '../datasets/load.js';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Task } from '../types.js';
import { writeOutputFile } from '../util/output-files.js';
import { leadsOutside } from '../util/paths.js';

/** A task as its author writes it (no id/version/source bookkeeping), for task files, show and diffs. */
export function taskBody(task: Task): Record<string, unknown> {
  return {
    vars: task.vars,
    ...(task.expected !== undefined ? { expected: task.expected } : {}),
    assert: task.assert,
    ...(task.tags.length ? { tags: task.tags } : {}),
    ...(Object.keys(task.metadata).length ? { metadata: task.metadata } : {}),
    ...(task.threshold !== undefined ? { threshold: task.threshold } : {}),
  };
}

export interface AddTasksRequest {
  /** The file holding the tasks to add (.yaml, .json, .jsonl, .csv), relative to the working directory. */
  fromFile: string;
  /** The YAML task file to append to, relative to the project folder. */
  to: string;
  /** Who adds them, for the audit log. */
  actor: string;
}

export interface AddTasksOutcome {
  added: Task[];
  /** Tasks of the file that the project already holds, unchanged. */
  alreadyPresent: number;
  /** The task file, relative to the project folder. */
  destination: string;
  /** Whether the config's `tasks:` already reads the task file. */
  covered: boolean;
}

/**
 * Appends the new tasks of a file to a YAML task file of the project, stores their versions and
 * audits the change. The task file must lie inside the project folder (symlinks resolved): a
 * command that writes files never writes outside the project.
 */
export async function addTasks(
  project: Project,
  store: Store,
  request: AddTasksRequest,
): Promise<AddTasksOutcome> {
  const destination = path.resolve(project.baseDir, request.to);
  if (await leadsOutside(project.baseDir, destination)) {
    throw new UserError(
      `${destination} is outside the project folder (${project.baseDir}); assay writes task files only inside it`,
      '--to',
      'give a path inside the project, e.g. --to tasks/added.yaml',
    );
  }
  if (!/\.ya?ml$/i.test(destination)) {
    throw new UserError('--to must be a .yaml file', '--to', 'e.g. --to tasks/added.yaml');
  }
  const incoming = await loadTaskFile(path.resolve(request.fromFile), process.cwd());
  if (incoming.length === 0)
    throw new UserError('no tasks in the file', request.fromFile, 'add tasks to it first');
  const { tasks, filesByTask } = await project.taskSource.all();
  const existing = new Map(tasks.map((task) => [task.id, task]));
  // The destination may not be in the config's `tasks:` yet: its tasks count as present too.
  const inDestination = await loadTaskFile(destination, project.baseDir).catch(() => []);
  for (const task of inDestination) if (!existing.has(task.id)) existing.set(task.id, task);
  const added = newTasks(incoming, existing);
  const relative = path.relative(project.baseDir, destination);
  if (added.length > 0) {
    await appendTasks(destination, added);
    await store.saveVersions({ tasks: added, prompts: [], targets: [] });
    await store.recordAudit({
      at: Date.now(),
      actor: request.actor,
      action: 'task.add',
      subject: relative,
      details: { tasks: added.map((task) => task.id) },
    });
  }
  return {
    added,
    alreadyPresent: incoming.length - added.length,
    destination: relative,
    covered: [...filesByTask.values()].some((file) => path.resolve(project.baseDir, file) === destination),
  };
}

/** The incoming tasks the project lacks; an id given twice, or reused for other content, is refused. */
function newTasks(incoming: Task[], existing: Map<string, Task>): Task[] {
  const seen = new Set<string>();
  const added: Task[] = [];
  for (const task of incoming) {
    if (seen.has(task.id)) {
      throw new UserError(`task id "${task.id}" appears twice`, task.source, 'give every task a distinct id');
    }
    seen.add(task.id);
    const other = existing.get(task.id);
    if (other && other.version !== task.version) {
      throw new UserError(
        `task "${task.id}" already exists with different content (${other.source})`,
        task.source,
        'give the new task another id, or edit the existing one in place (its history is kept)',
      );
    }
    if (!other) added.push(task);
  }
  return added;
}

async function appendTasks(destination: string, tasks: Task[]): Promise<void> {
  const text = stringify(
    tasks.map((task) => ({ id: task.id, ...taskBody(task) })),
    { lineWidth: 0 },
  );
  const before = await readFile(destination, 'utf8').catch(() => null);
  if (before === null || before.trim() === '') {
    await writeOutputFile(destination, text, '--to');
  } else if (/^\s*-/m.test(before) && !/^tasks:/m.test(before)) {
    await writeOutputFile(destination, before.endsWith('\n') ? text : `\n${text}`, '--to', { append: true });
  } else {
    throw new UserError(
      'can only append to a task file that is a plain YAML list',
      path.relative(process.cwd(), destination),
      'choose another --to file',
    );
  }
}
