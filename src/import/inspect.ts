import path from 'node:path';
import { UserError } from '../errors.js';
import { toChatMessages } from './messages.js';
import { displayPath, stemName } from './names.js';
import { idealAssertions } from './openai-evals.js';
import { assayConfigFile, count, streamedFile, textFile, toYaml } from './output.js';
import { readRecords } from './records.js';
import { SkipTally } from './tally.js';
import type { ImportPlan } from './types.js';

/** Sample fields for sandboxed agent tasks, which Assay does not run. */
const SANDBOX_FIELDS: Record<string, string> = {
  sandbox: 'sandboxes are not supported',
  files: 'files copied into a sandbox are not supported',
  setup: 'sandbox setup scripts are not supported',
};
const MULTIPLE_CHOICE_INSTRUCTION = 'Answer with the letter of the correct choice only.';

interface Shape {
  allStrings: boolean;
  hasChoices: boolean;
  /** CSV cells are text: JSON lists and objects in them are parsed. */
  csv: boolean;
}

type Converted = { task: Record<string, unknown> } | { unsupported: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** CSV cells are text: a cell holding a JSON list or object is read as one. */
function fromCell(value: unknown, want: 'list' | 'object', csv: boolean): unknown {
  if (!csv || typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith(want === 'list' ? '[' : '{')) return value === '' ? undefined : value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

function letter(index: number): string {
  return String.fromCharCode(65 + index);
}

function choiceList(value: unknown, where: string, csv: boolean): string[] | undefined {
  const choices = fromCell(value, 'list', csv);
  if (choices === undefined || choices === null) return undefined;
  if (
    Array.isArray(choices) &&
    choices.length <= 26 &&
    choices.every((choice) => typeof choice === 'string')
  ) {
    return choices;
  }
  throw new UserError(
    '"choices" must be a list of at most 26 texts',
    where,
    'write e.g. "choices": ["4", "5"]',
  );
}

function convert(value: unknown, where: string, ordinal: number, name: string, shape: Shape): Converted {
  if (!isRecord(value) || !('input' in value)) {
    throw new UserError(
      'expected a sample object with "input"',
      where,
      'each sample is {"input": "...", "target": "...", "id": "...", "metadata": {...}}',
    );
  }
  const { input, target, id, metadata, choices, sandbox: _s, files: _f, setup: _u, ...rest } = value;
  let inputVars: Record<string, unknown>;
  if (typeof input === 'string') {
    inputVars = shape.allStrings ? { input } : { messages: [{ role: 'user', content: input }] };
  } else {
    const converted = toChatMessages(input, where, 'input');
    if ('unsupported' in converted) return converted;
    inputVars = { messages: converted.messages };
  }
  const list = choiceList(choices, where, shape.csv);
  const choiceVars = shape.hasChoices
    ? {
        choices: list ?? [],
        choices_text: (list ?? []).map((choice, index) => `${letter(index)}) ${choice}`).join('\n'),
      }
    : {};
  const meta = fromCell(metadata, 'object', shape.csv);
  if (meta !== undefined && !isRecord(meta)) {
    throw new UserError('"metadata" must be an object', where, 'write e.g. "metadata": {"topic": "algebra"}');
  }
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw new UserError('"id" must be text or a number', where, 'write e.g. "id": "q-17"');
  }
  const task: Record<string, unknown> = {
    id: id === undefined || id === '' ? `${name}-${ordinal}` : String(id),
    vars: { ...inputVars, ...choiceVars },
    ...idealAssertions(fromCell(target, 'list', shape.csv), where, 'target'),
  };
  // Other fields are kept as metadata, so filters such as `--filter metadata.subject=math` work.
  const extra = Object.fromEntries(
    Object.entries(rest).filter(([, cell]) => cell !== undefined && cell !== ''),
  );
  const allMetadata = { ...extra, ...(meta ?? {}) };
  if (Object.keys(allMetadata).length > 0) task.metadata = allMetadata;
  return { task };
}

function promptFile(file: string, shape: Shape, source: string) {
  if (shape.allStrings) {
    const text = shape.hasChoices
      ? // Only samples that have choices get the multiple-choice block.
        `{{ input }}{% if choices_text %}\n\n{{ choices_text }}\n\n${MULTIPLE_CHOICE_INSTRUCTION}{% endif %}`
      : '{{ input }}';
    return textFile(file, text, shape.hasChoices ? 'the input and its choices' : 'the sample input');
  }
  const entries: unknown[] = [{ messages: 'messages' }];
  if (shape.hasChoices) {
    entries.push({ role: 'user', content: `{{ choices_text }}\n\n${MULTIPLE_CHOICE_INSTRUCTION}` });
  }
  return textFile(
    file,
    `# Imported from ${source}: sends each sample's messages as they are.\n${toYaml(entries)}`,
    shape.hasChoices ? 'the sample messages and choices' : 'the sample messages',
  );
}

/**
 * Inspect-style samples (JSON, JSONL or CSV of `{ input, target, id, metadata, choices }`) →
 * `tasks/<name>.jsonl`, a prompt and an assay.yaml. Multiple-choice samples get `choices` and a
 * lettered `choices_text` variable; the target is the letter.
 */
export async function planInspect(file: string): Promise<ImportPlan> {
  const name = stemName(file);
  const csv = path.extname(file).toLowerCase() === '.csv';
  const shape: Shape = { allStrings: true, hasChoices: false, csv };
  const skipped = new SkipTally();
  const fields = new SkipTally();
  const ids = new Set<string>();
  let samples = 0;
  for await (const { value, where } of readRecords(file)) {
    samples++;
    const converted = convert(value, where, samples, name, { allStrings: false, hasChoices: true, csv });
    if ('unsupported' in converted) {
      skipped.add(`sample ${samples}`, where, converted.unsupported);
      continue;
    }
    const { task } = converted;
    const id = String(task.id);
    if (ids.has(id)) {
      throw new UserError(`duplicate sample id "${id}"`, where, 'give each sample a unique id');
    }
    ids.add(id);
    const sample = value as Record<string, unknown>;
    if (typeof sample.input !== 'string') shape.allStrings = false;
    if (choiceList(sample.choices, where, csv) !== undefined) shape.hasChoices = true;
    for (const [field, reason] of Object.entries(SANDBOX_FIELDS)) {
      const cell = sample[field];
      if (cell !== undefined && cell !== null && cell !== '')
        fields.add(`"${field}" of sample ${id}`, where, reason);
    }
  }
  if (samples === 0) {
    throw new UserError(
      'no samples in the file',
      displayPath(file),
      'add {"input": ..., "target": ...} samples',
    );
  }
  ids.clear();
  const tasks = samples - skipped.size;
  const source = displayPath(file);
  const prompt = shape.allStrings ? `prompts/${name}.njk` : `prompts/${name}.yaml`;
  const tasksFile = `tasks/${name}.jsonl`;
  async function* lines(): AsyncGenerator<string> {
    let ordinal = 0;
    for await (const { value, where } of readRecords(file)) {
      ordinal++;
      const converted = convert(value, where, ordinal, name, shape);
      if ('task' in converted) yield `${JSON.stringify(converted.task)}\n`;
    }
  }
  return {
    format: 'inspect',
    source,
    files: [
      assayConfigFile({
        format: 'inspect',
        source,
        prompts: [prompt],
        targets: ['echo'],
        tasks: [tasksFile],
      }),
      promptFile(prompt, shape, source),
      streamedFile(tasksFile, count(tasks, 'task'), lines),
    ],
    skipped: [...skipped.list(), ...fields.list()],
    notes: shape.hasChoices
      ? ['multiple-choice samples expect the letter of the answer (A, B, …), compared with `equals`']
      : [],
    counts: { prompts: 1, targets: 1, tasks },
    inputs: [path.resolve(file)],
  };
}
