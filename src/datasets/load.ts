import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import * as z from 'zod';
import { type TaskInput, taskSchema } from '../config/schema.js';
import { formatFieldPath, parseYamlSource, type SourceDocument } from '../config/source.js';
import { validate } from '../config/validate.js';
import { UserError } from '../errors.js';
import type { Task } from '../types.js';
import { matchFiles } from '../util/files.js';
import { contentHash } from '../util/hash.js';
import { decodeTextStream, readTextFile, unreadableFile } from '../util/text-files.js';

const taskFileSchema = z.union([z.array(z.unknown()), z.object({ tasks: z.array(z.unknown()) }).strict()]);

/** The special CSV columns (written with a `__` prefix). */
export const CSV_SPECIAL_COLUMNS = ['id', 'expected', 'tags', 'threshold', 'description'] as const;

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
    ...(input.repeat !== undefined ? { repeat: input.repeat } : {}),
    source,
  };
}

function* tasksFromDocument(doc: SourceDocument): Generator<Task> {
  const container = validate(
    taskFileSchema,
    doc.value,
    doc.locate,
    'task file (a list of tasks, or {tasks: [...]})',
  );
  const list = Array.isArray(container) ? container : container.tasks;
  const prefix: PropertyKey[] = Array.isArray(container) ? [] : ['tasks'];
  for (let index = 0; index < list.length; index++) {
    const fieldPath = [...prefix, index];
    const input = validate(taskSchema, list[index], (inner) => doc.locate([...fieldPath, ...inner]), 'task');
    yield toTask(input, doc.locate(fieldPath));
  }
}

/** One parsed line of a JSONL file, or one CSV record, with the `file:line` it starts on. */
export interface SourceRecord<T> {
  value: T;
  where: string;
}

/** Opens `file` for streaming; a missing or unreadable file is a UserError naming it. */
async function openStream(file: string, display: string, what: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw unreadableFile(error, display, what);
  }
}

/**
 * The lines of a text stream, split by hand, a batch per chunk read: a large file is never held in
 * memory whole, and neither node:readline nor a promise per line is paid for (10,000 tasks went
 * through four async generators a line). Lines end as readline ends them: at \n, \r\n (even when
 * a chunk ends between the two) or a lone \r. Each chunk is searched once, so a very long line
 * costs no more than its length. Batches are never empty.
 */
export async function* streamLineBatches(input: AsyncIterable<string>): AsyncGenerator<string[]> {
  const lineBreak = /\r\n|\n|\r/g;
  let pending: string[] = [];
  let afterCarriageReturn = false;
  for await (const chunk of input) {
    const lines: string[] = [];
    let start = 0;
    // A \r ended the last chunk: a \n opening this one belongs to it.
    if (afterCarriageReturn && chunk.startsWith('\n')) start = 1;
    afterCarriageReturn = false;
    lineBreak.lastIndex = start;
    for (let match = lineBreak.exec(chunk); match !== null; match = lineBreak.exec(chunk)) {
      pending.push(chunk.slice(start, match.index));
      lines.push(pending.length === 1 ? pending[0]! : pending.join(''));
      pending = [];
      start = lineBreak.lastIndex;
      if (match[0] === '\r' && start === chunk.length) afterCarriageReturn = true;
    }
    if (start < chunk.length) pending.push(chunk.slice(start));
    if (lines.length > 0) yield lines;
  }
  if (pending.length > 0) yield [pending.join('')];
}

/**
 * Records where `task`'s id was seen in `seen` (id → source), throwing a UserError naming both
 * places, with `fix`, when it was seen before.
 */
export function noteUniqueId(seen: Map<string, string>, task: Task, fix: string): void {
  const other = seen.get(task.id);
  if (other) throw new UserError(`duplicate task id "${task.id}" (also at ${other})`, task.source, fix);
  seen.set(task.id, task.source);
}

/**
 * The JSON value of each non-blank line of a JSONL file, read as a stream: a batch of records per
 * chunk read (see `streamLineBatches`).
 */
export async function* readJsonlBatches(
  file: string,
  display: string,
  what = 'task file',
): AsyncGenerator<Array<SourceRecord<unknown>>> {
  const handle = await openStream(file, display, what);
  const input = handle.createReadStream();
  let lineNumber = 0;
  try {
    for await (const lines of streamLineBatches(decodeTextStream(input, file, display, what))) {
      const records: Array<SourceRecord<unknown>> = [];
      for (const text of lines) {
        lineNumber++;
        const line = text.trim();
        if (!line) continue;
        const where = `${display}:${lineNumber}`;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          // The lines before it first: a problem there, or a reader that stops, comes first.
          if (records.length > 0) yield records;
          throw new UserError(
            `invalid JSON line: ${(error as Error).message}`,
            where,
            'each line must be one JSON object',
          );
        }
        records.push({ value, where });
      }
      if (records.length > 0) yield records;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall) throw unreadableFile(error, display, what);
    throw error;
  } finally {
    input.destroy();
    await handle.close().catch(() => undefined);
  }
}

/** The JSON value of each non-blank line of a JSONL file, one at a time (see `readJsonlBatches`). */
export async function* readJsonlRecords(
  file: string,
  display: string,
  what = 'task file',
): AsyncGenerator<SourceRecord<unknown>> {
  for await (const records of readJsonlBatches(file, display, what)) yield* records;
}

/**
 * The records of a CSV file with a header line (column name → text), parsed with csv-parse's
 * streaming API. Each record's `where` is the line it starts on, even after quoted newlines.
 */
export async function* readCsvRecords(
  file: string,
  display: string,
  what = 'task file',
): AsyncGenerator<SourceRecord<Record<string, string>>> {
  const handle = await openStream(file, display, what);
  const input = handle.createReadStream();
  const text = Readable.from(decodeTextStream(input, file, display, what));
  const parser = text.pipe(
    parseCsv({ columns: true, skip_empty_lines: true, bom: true, trim: false, info: true }),
  );
  text.once('error', (error) => parser.destroy(error));
  try {
    for await (const { record, info } of parser as AsyncIterable<CsvRow>) {
      // `info.lines` is the line a record ends on; quoted fields may span several lines.
      const spanned = Object.values(record).reduce((sum, value) => sum + value.split('\n').length - 1, 0);
      yield { value: record, where: `${display}:${info.lines - spanned}` };
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    if ((error as NodeJS.ErrnoException).syscall) throw unreadableFile(error, display, what);
    const message = (error as Error).message;
    const lineMatch = /line (\d+)/i.exec(message);
    // csv-parse quotes the whole field it stopped at, which can be kilobytes of a broken file.
    const shown = message.length > CSV_MESSAGE_CHARS ? `${message.slice(0, CSV_MESSAGE_CHARS)}…` : message;
    throw new UserError(
      `invalid CSV: ${shown}`,
      lineMatch ? `${display}:${lineMatch[1]}` : display,
      'check quoting: a field with commas or newlines must be in double quotes',
      { cause: error },
    );
  } finally {
    parser.destroy();
    text.destroy();
    input.destroy();
    await handle.close().catch(() => undefined);
  }
}

const CSV_MESSAGE_CHARS = 200;

interface CsvRow {
  record: Record<string, string>;
  info: { lines: number };
}

async function* taskBatchesFromJsonl(file: string, display: string): AsyncGenerator<Task[]> {
  for await (const records of readJsonlBatches(file, display)) {
    yield* untilError(tasksOf(records));
  }
}

function* tasksOf(records: Array<SourceRecord<unknown>>): Generator<Task> {
  for (const { value, where } of records) {
    const input = validate(taskSchema, value, (inner) => `${where} (${formatFieldPath(inner)})`, 'task');
    yield toTask(input, where);
  }
}

/**
 * One batch of what `produce` makes; when it throws part way, the part made before, then the error:
 * batching never lets a later line's error overtake an earlier one, nor reach a reader that stopped.
 */
function* untilError<T>(produce: Iterable<T>): Generator<T[]> {
  const batch: T[] = [];
  try {
    for (const item of produce) batch.push(item);
  } catch (error) {
    if (batch.length > 0) yield batch;
    throw error;
  }
  if (batch.length > 0) yield batch;
}

/**
 * CSV: every column is a template variable, except the special columns `__id`, `__expected`,
 * `__tags` (comma-separated), `__threshold` and `__description`.
 */
async function* tasksFromCsv(file: string, display: string): AsyncGenerator<Task> {
  for await (const { value, where } of readCsvRecords(file, display)) yield csvRowTask(value, where, display);
}

function csvRowTask(row: Record<string, string>, where: string, file: string): Task {
  const vars: Record<string, unknown> = {};
  const special: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('__')) special[key.slice(2)] = value;
    else vars[key] = value;
  }
  const unknown = Object.keys(special).filter(
    (key) => !(CSV_SPECIAL_COLUMNS as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    throw new UserError(
      `unknown special column __${unknown[0]}`,
      file,
      `special columns are ${CSV_SPECIAL_COLUMNS.map((name) => `__${name}`).join(', ')}`,
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
}

/**
 * The tasks of one file, in batches: JSONL and CSV files are streamed, so a file of any size is
 * never held in memory whole. Errors name the file and line.
 */
export async function* readTaskBatches(file: string, baseDir: string): AsyncGenerator<Task[]> {
  const relative = path.relative(baseDir, file) || file;
  const extension = path.extname(file).toLowerCase();
  switch (extension) {
    case '.yaml':
    case '.yml':
    case '.json': {
      const text = await readTextFile(file, relative, 'task file');
      yield* untilError(tasksFromDocument(parseYamlSource(text, file)));
      return;
    }
    case '.jsonl':
      yield* taskBatchesFromJsonl(file, relative);
      return;
    case '.csv':
      for await (const task of tasksFromCsv(file, relative)) yield [task];
      return;
    default:
      throw new UserError(
        `unsupported task file type "${extension}"`,
        relative,
        'use .yaml, .json, .jsonl or .csv',
      );
  }
}

/** The tasks of one file, one at a time (see `readTaskBatches`). */
export async function* readTaskFile(file: string, baseDir: string): AsyncGenerator<Task> {
  for await (const tasks of readTaskBatches(file, baseDir)) yield* tasks;
}

export async function loadTaskFile(file: string, baseDir: string): Promise<Task[]> {
  const tasks: Task[] = [];
  for await (const batch of readTaskBatches(file, baseDir)) for (const task of batch) tasks.push(task);
  return tasks;
}
/** One task as a source yields it: the task file it came from, relative to the project (null inline). */
export interface SourcedTask {
  task: Task;
  file: string | null;
}

/**
 * A project's tasks: inline tasks and task file globs, in config order, read again on every pass so
 * a run of any size never holds them all (`batches`), or all at once for the commands that need
 * every task (`all`, read once and kept). Task ids must be unique: `all` checks it; a streaming
 * reader checks it with `uniqueIds`.
 */
export class TaskSource {
  #all: Promise<{ tasks: Task[]; filesByTask: Map<string, string> }> | undefined;

  constructor(
    private readonly entries: Array<string | TaskInput>,
    private readonly baseDir: string,
    private readonly locate: (fieldPath: PropertyKey[]) => string,
  ) {}

  /** The tasks in config order, a batch at a time (a file's chunk, or one inline task). */
  async *batches(): AsyncGenerator<SourcedTask[]> {
    const { entries, baseDir, locate } = this;
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index]!;
      if (typeof entry !== 'string') {
        yield [{ task: toTask(taskSchema.parse(entry), locate(['tasks', index])), file: null }];
        continue;
      }
      const files = (await matchFiles(entry, baseDir, { absolute: true })).sort();
      if (files.length === 0) {
        throw new UserError(
          `no task file matches "${entry}"`,
          locate(['tasks', index]),
          `create it or fix the path (relative to ${baseDir})`,
        );
      }
      for (const file of files) {
        const relative = path.relative(baseDir, file);
        for await (const batch of readTaskBatches(file, baseDir)) {
          yield batch.map((task) => ({ task, file: relative }));
        }
      }
    }
  }

  /** Every task, read once and kept (with the file of each), ids checked unique. */
  all(): Promise<{ tasks: Task[]; filesByTask: Map<string, string> }> {
    this.#all ??= (async () => {
      const tasks: Task[] = [];
      const filesByTask = new Map<string, string>();
      for await (const batch of this.batches()) {
        for (const { task, file } of batch) {
          tasks.push(task);
          if (file !== null) filesByTask.set(task.id, file);
        }
      }
      const seen = new Map<string, string>();
      for (const task of tasks) noteUniqueId(seen, task, 'give each task a unique id');
      return { tasks, filesByTask };
    })();
    return this.#all;
  }
}

/**
 * Checks task ids are unique while tasks stream past, keeping only the ids (not where each was
 * seen): a repeated id is named with both places by reading the tasks again up to the first.
 */
export function uniqueIds(): (task: Task, sources: () => AsyncIterable<SourcedTask[]>) => Promise<void> {
  const seen = new Set<string>();
  return async (task, sources) => {
    if (!seen.has(task.id)) {
      seen.add(task.id);
      return;
    }
    for await (const batch of sources()) {
      const first = batch.find((each) => each.task.id === task.id);
      if (first) noteUniqueId(new Map([[task.id, first.task.source]]), task, 'give each task a unique id');
    }
  };
}

/** Inline tasks and task file globs, in config order. Task ids must be unique. */
export function loadTasks(
  entries: Array<string | TaskInput>,
  baseDir: string,
  locate: (fieldPath: PropertyKey[]) => string,
): Promise<{ tasks: Task[]; filesByTask: Map<string, string> }> {
  return new TaskSource(entries, baseDir, locate).all();
}
