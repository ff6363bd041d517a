import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { glob } from 'tinyglobby';
import { z } from 'zod';
import { type TaskInput, taskSchema } from '../config/schema.js';
import { formatFieldPath, parseYamlSource, type SourceDocument } from '../config/source.js';
import { validate } from '../config/validate.js';
import { UserError } from '../errors.js';
import type { Task } from '../types.js';
import { contentHash } from '../util/hash.js';

const taskFileSchema = z.union([z.array(z.unknown()), z.object({ tasks: z.array(z.unknown()) }).strict()]);

/** Turns validated task input into a versioned Task. */
export function toTask(input: z.output<typeof taskSchema>, source: string): Task {
  const expected = input.expected === undefined ? undefined : String(input.expected);
  const assert = input.assert ?? (expected !== undefined ? [{ type: 'equals' }] : []);
  const content = {
    vars: input.vars,
    expected,
    assert,
    tags: input.tags,
    metadata: input.metadata,
    threshold: input.threshold,
  };
  return {
    id: input.id ?? `t-${contentHash(input.vars, 10)}`,
    version: contentHash(content),
    vars: input.vars,
    ...(expected !== undefined ? { expected } : {}),
    assert,
    tags: input.tags,
    metadata: input.metadata,
    ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
    source,
  };
}

function tasksFromDocument(doc: SourceDocument): Task[] {
  const container = validate(
    taskFileSchema,
    doc.value,
    doc.locate,
    'task file (a list of tasks, or {tasks: [...]})',
  );
  const list = Array.isArray(container) ? container : container.tasks;
  const prefix: PropertyKey[] = Array.isArray(container) ? [] : ['tasks'];
  return list.map((raw, index) => {
    const fieldPath = [...prefix, index];
    const input = validate(taskSchema, raw, (inner) => doc.locate([...fieldPath, ...inner]), 'task');
    return toTask(input, doc.locate(fieldPath));
  });
}

function tasksFromJsonl(text: string, file: string): Task[] {
  const tasks: Task[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (!line) continue;
    const where = `${file}:${index + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new UserError(
        `invalid JSON line: ${(error as Error).message}`,
        where,
        'each line must be one JSON object',
      );
    }
    const input = validate(taskSchema, raw, (inner) => `${where} (${formatFieldPath(inner)})`, 'task');
    tasks.push(toTask(input, where));
  }
  return tasks;
}

/**
 * CSV: every column is a template variable, except the special columns `__id`, `__expected`,
 * `__tags` (comma-separated), `__threshold` and `__description`.
 */
function tasksFromCsv(text: string, file: string): Task[] {
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, trim: false, info: true });
  } catch (error) {
    const lineMatch = /line (\d+)/i.exec((error as Error).message);
    throw new UserError(
      `invalid CSV: ${(error as Error).message}`,
      lineMatch ? `${file}:${lineMatch[1]}` : file,
      'check quoting: a field with commas or newlines must be in double quotes',
    );
  }
  return rows.map(({ record: row, info }) => {
    // `info.lines` is the line a record ends on; quoted fields may span several lines.
    const spanned = Object.values(row).reduce((sum, value) => sum + value.split('\n').length - 1, 0);
    const where = `${file}:${info.lines - spanned}`;
    const vars: Record<string, unknown> = {};
    const special: Record<string, string> = {};
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith('__')) special[key.slice(2)] = value;
      else vars[key] = value;
    }
    const unknown = Object.keys(special).filter(
      (key) => !['id', 'expected', 'tags', 'threshold', 'description'].includes(key),
    );
    if (unknown.length > 0) {
      throw new UserError(
        `unknown special column __${unknown[0]}`,
        file,
        'special columns are __id, __expected, __tags, __threshold, __description',
      );
    }
    const input = validate(
      taskSchema,
      {
        vars,
        ...(special.id ? { id: special.id } : {}),
        ...(special.expected !== undefined && special.expected !== '' ? { expected: special.expected } : {}),
        ...(special.tags
          ? {
              tags: special.tags
                .split(',')
                .map((tag) => tag.trim())
                .filter(Boolean),
            }
          : {}),
        ...(special.threshold ? { threshold: Number(special.threshold) } : {}),
        ...(special.description ? { description: special.description } : {}),
      },
      () => where,
      'task',
    );
    return toTask(input, where);
  });
}

export async function loadTaskFile(file: string, baseDir: string): Promise<Task[]> {
  const relative = path.relative(baseDir, file) || file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read task file: ${(error as NodeJS.ErrnoException).code}`,
      relative,
      'check the path',
    );
  }
  const extension = path.extname(file).toLowerCase();
  switch (extension) {
    case '.yaml':
    case '.yml':
    case '.json':
      return tasksFromDocument(parseYamlSource(text, file));
    case '.jsonl':
      return tasksFromJsonl(text, relative);
    case '.csv':
      return tasksFromCsv(text, relative);
    default:
      throw new UserError(
        `unsupported task file type "${extension}"`,
        relative,
        'use .yaml, .json, .jsonl or .csv',
      );
  }
}

/** Inline tasks and task file globs, in config order. Task ids must be unique. */
export async function loadTasks(
  entries: Array<string | TaskInput>,
  baseDir: string,
  locate: (fieldPath: PropertyKey[]) => string,
): Promise<{ tasks: Task[]; filesByTask: Map<string, string> }> {
  const tasks: Task[] = [];
  const filesByTask = new Map<string, string>();
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    if (typeof entry !== 'string') {
      tasks.push(toTask(taskSchema.parse(entry), locate(['tasks', index])));
      continue;
    }
    const files = (await glob(entry, { cwd: baseDir, absolute: true, onlyFiles: true })).sort();
    if (files.length === 0) {
      throw new UserError(
        `no task file matches "${entry}"`,
        locate(['tasks', index]),
        `create it or fix the path (relative to ${baseDir})`,
      );
    }
    for (const file of files) {
      for (const task of await loadTaskFile(file, baseDir)) {
        tasks.push(task);
        filesByTask.set(task.id, path.relative(baseDir, file));
      }
    }
  }
  const seen = new Map<string, string>();
  for (const task of tasks) {
    const other = seen.get(task.id);
    if (other) {
      throw new UserError(
        `duplicate task id "${task.id}" (also at ${other})`,
        task.source,
        'give each task a unique id',
      );
    }
    seen.set(task.id, task.source);
  }
  return { tasks, filesByTask };
}
