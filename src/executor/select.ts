import path from 'node:path';
import type { Project } from '../config/load.js';
import { resolveTargetName } from '../config/target-name.js';
import { UserError } from '../errors.js';
import { createRng, sampleIndices } from '../stats/random.js';
import type { RunOptions, Target, Task } from '../types.js';
import { matchFiles } from '../util/files.js';

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

type TaskPredicate = (task: Task) => boolean;

/** One filter term: `tag:x`, `id:glob`, or `metadata.key=value`. */
function parseTerm(term: string): TaskPredicate {
  const trimmed = term.trim();
  if (trimmed.startsWith('tag:')) {
    const tag = trimmed.slice(4);
    return (task) => task.tags.includes(tag);
  }
  if (trimmed.startsWith('id:')) {
    const pattern = globToRegExp(trimmed.slice(3));
    return (task) => pattern.test(task.id);
  }
  const metadata = /^metadata\.([^=]+)=(.*)$/.exec(trimmed);
  if (metadata) {
    const [, key, value] = metadata as unknown as [string, string, string];
    return (task) => String(task.metadata[key]) === value;
  }
  throw new UserError(
    `invalid filter "${term}"`,
    '--filter',
    'use tag:NAME, id:GLOB or metadata.KEY=VALUE; join with "," for OR, repeat --filter for AND',
  );
}

/** `,` joins terms with OR inside one expression; several expressions must all match. */
export function compileFilters(expressions: string[]): TaskPredicate {
  const groups = expressions.map((expression) =>
    expression
      .split(',')
      .filter((term) => term.trim())
      .map(parseTerm),
  );
  return (task) => groups.every((group) => group.some((predicate) => predicate(task)));
}

/**
 * Whether a task (from this file, relative to the project; null inline) is in a suite (any task
 * when `suite` is null) and passes the filters: a predicate, so tasks can stream past it.
 */
export async function taskFilter(
  project: Project,
  suite: string | null,
  filters: string[],
): Promise<(task: Task, file: string | null) => boolean> {
  const passes = compileFilters(filters);
  if (suite === null) return (task) => passes(task);
  const definition = project.config.suites[suite];
  if (!definition) {
    const known = Object.keys(project.config.suites);
    throw new UserError(
      `unknown suite "${suite}"`,
      '--suite',
      known.length ? `known suites: ${known.join(', ')}` : 'define suites under `suites:` in assay.yaml',
    );
  }
  const files = new Set<string>();
  for (const pattern of definition.tasks ?? []) {
    for (const file of await matchFiles(pattern, project.baseDir)) files.add(path.normalize(file));
  }
  const tags = new Set(definition.tags ?? []);
  const suiteFilter = compileFilters(definition.filter ?? []);
  const inSuite = (task: Task, file: string | null) =>
    (definition.tasks === undefined && definition.tags === undefined) ||
    (file !== null && files.has(path.normalize(file))) ||
    task.tags.some((tag) => tags.has(tag));
  return (task, file) => inSuite(task, file) && suiteFilter(task) && passes(task);
}

/** The tasks a suite (or all tasks when `suite` is null) and the filters select, in config order. */
export async function selectTasks(
  project: Project,
  suite: string | null,
  filters: string[],
): Promise<Task[]> {
  const keep = await taskFilter(project, suite, filters);
  const { tasks, filesByTask } = await project.taskSource.all();
  return tasks.filter((task) => keep(task, filesByTask.get(task.id) ?? null));
}

/** Narrows selected tasks with `--first N` or `--sample N --seed S` (config order is kept). */
export function limitTasks(tasks: Task[], options: Pick<RunOptions, 'first' | 'sample'>): Task[] {
  if (options.first !== undefined) return tasks.slice(0, options.first);
  if (options.sample !== undefined) {
    const { size, seed } = options.sample;
    if (size >= tasks.length) return tasks;
    return sampleIndices(tasks.length, size, createRng(seed)).map((index) => tasks[index]!);
  }
  return tasks;
}

/** Targets named on the command line (all when none are named), by any name resolveTargetName takes. */
export function selectTargets(targets: Target[], names: string[]): Target[] {
  if (names.length === 0) return targets;
  const known = targets.map((target) => target.name);
  const wanted = new Set(names.map((name) => resolveTargetName(name, known, '--target')));
  return targets.filter((target) => wanted.has(target.name));
}
