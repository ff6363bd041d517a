import path from 'node:path';
import { noteUniqueId, readCsvRecords, readTaskFile } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { displayPath, stemName } from './names.js';
import { assayConfigFile, count, streamedFile, textFile } from './output.js';
import type { ImportPlan, SkippedItem } from './types.js';

const TEMPLATE_NAME = /^[A-Za-z_]\w*$/;

/** One CSV field, quoted only when it has to be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A plain CSV task file (columns are variables; `__id`, `__expected`, `__tags`, `__threshold`,
 * `__description` are special) → `tasks/<name>.csv`, checked row by row with Assay's own loader
 * and rewritten with LF line ends, no BOM, no blank lines and minimal quoting; plus a prompt that
 * shows every variable, and an assay.yaml.
 */
export async function planCsv(file: string): Promise<ImportPlan> {
  if (path.extname(file).toLowerCase() !== '.csv') {
    throw new UserError(
      `expected a .csv file, got "${path.basename(file)}"`,
      displayPath(file),
      'for JSONL or JSON samples use `assay import inspect` or `assay import openai-evals`',
    );
  }
  const name = stemName(file);
  const seen = new Map<string, string>();
  let variables: string[] | undefined;
  for await (const task of readTaskFile(path.resolve(file), process.cwd())) {
    variables ??= Object.keys(task.vars);
    noteUniqueId(
      seen,
      task,
      'give each row a unique __id (rows without one are named after their variables)',
    );
  }
  const rows = seen.size;
  seen.clear();
  if (rows === 0 || !variables) {
    throw new UserError('no rows in the file', displayPath(file), 'add a header line and one line per task');
  }
  const usable = variables.filter((variable) => TEMPLATE_NAME.test(variable));
  const skipped: SkippedItem[] = variables
    .filter((variable) => !TEMPLATE_NAME.test(variable))
    .map((variable) => ({
      item: `column "${variable}" in the prompt`,
      where: `${displayPath(file)}:1`,
      reason: 'not a valid template variable name; rename the column (letters, digits, _) to use it',
    }));
  const prompt =
    usable.length === 1
      ? `{{ ${usable[0]} }}`
      : usable.map((variable) => `${variable}: {{ ${variable} }}`).join('\n');
  const source = displayPath(file);
  const promptFile = `prompts/${name}.njk`;
  const tasksFile = `tasks/${name}.csv`;
  async function* lines(): AsyncGenerator<string> {
    let columns: string[] | undefined;
    for await (const { value } of readCsvRecords(path.resolve(file), source, 'file')) {
      if (!columns) {
        columns = Object.keys(value);
        yield `${columns.map(csvField).join(',')}\n`;
      }
      yield `${columns.map((column) => csvField(value[column] ?? '')).join(',')}\n`;
    }
  }
  return {
    format: 'csv',
    source,
    files: [
      assayConfigFile({
        format: 'csv',
        source,
        prompts: [promptFile],
        targets: ['echo'],
        tasks: [tasksFile],
      }),
      textFile(promptFile, prompt || 'Reply with OK.', 'a prompt showing every variable; edit it'),
      streamedFile(tasksFile, count(rows, 'task'), lines),
    ],
    skipped,
    notes: [],
    counts: { prompts: 1, targets: 1, tasks: rows },
    inputs: [path.resolve(file)],
  };
}
