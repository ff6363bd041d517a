import path from 'node:path';
import { UserError } from '../errors.js';
import type { AssertionSpec } from '../types.js';
import { toChatMessages } from './messages.js';
import { displayPath, stemName } from './names.js';
import { assayConfigFile, count, streamedFile, textFile } from './output.js';
import { readRecords } from './records.js';
import { SkipTally } from './tally.js';
import type { ImportPlan } from './types.js';

interface ConvertedSample {
  vars: Record<string, unknown>;
  expected?: string;
  assert?: AssertionSpec[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The reference answers as text. One becomes `expected` (scored with `equals`); several become
 * `expected` (the first) plus a `contains-any` assertion over all of them.
 */
export function idealAssertions(
  ideal: unknown,
  where: string,
  field: string,
): Pick<ConvertedSample, 'expected' | 'assert'> {
  if (ideal === undefined || ideal === null) return {};
  const list = Array.isArray(ideal) ? ideal : [ideal];
  const texts = list.map((item) => {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
      return String(item);
    throw new UserError(
      `"${field}" must be text or a list of texts`,
      where,
      `write e.g. "${field}": "Paris" or ["Paris", "paris"]`,
    );
  });
  const [first] = texts;
  if (first === undefined) return {};
  if (texts.length === 1) return { expected: first };
  return { expected: first, assert: [{ type: 'contains-any', value: texts }] };
}

/** One sample line, or why it is skipped. */
function convert(
  value: unknown,
  where: string,
  asMessages: boolean,
): ConvertedSample | { unsupported: string } {
  if (!isRecord(value) || !('input' in value)) {
    throw new UserError(
      'expected a sample object with "input"',
      where,
      'each line is {"input": [{"role": "user", "content": "..."}], "ideal": "..."}',
    );
  }
  const { input, ideal, ...rest } = value;
  let inputVars: Record<string, unknown>;
  if (typeof input === 'string') {
    inputVars = asMessages ? { messages: [{ role: 'user', content: input }] } : { input };
  } else {
    const converted = toChatMessages(input, where, 'input');
    if ('unsupported' in converted) return converted;
    inputVars = { messages: converted.messages };
  }
  return { vars: { ...rest, ...inputVars }, ...idealAssertions(ideal, where, 'ideal') };
}

/**
 * OpenAI evals samples (JSONL of `{ input, ideal }`) → `tasks/<name>.jsonl`, a chat prompt that
 * splices each sample's messages, and an assay.yaml. Two streamed passes: check every line (and
 * learn whether all inputs are plain strings), then write.
 */
export async function planOpenAiEvals(file: string): Promise<ImportPlan> {
  const name = stemName(file);
  let samples = 0;
  let allStrings = true;
  const skipped = new SkipTally();
  for await (const { value, where } of readRecords(file)) {
    samples++;
    const converted = convert(value, where, true);
    if ('unsupported' in converted) skipped.add(`sample ${samples}`, where, converted.unsupported);
    else if (typeof (value as { input: unknown }).input !== 'string') allStrings = false;
  }
  if (samples === 0) {
    throw new UserError(
      'no samples in the file',
      displayPath(file),
      'each line is one {"input", "ideal"} sample',
    );
  }
  const tasks = samples - skipped.size;
  const promptFile = allStrings ? `prompts/${name}.njk` : `prompts/${name}.yaml`;
  const tasksFile = `tasks/${name}.jsonl`;
  async function* lines(): AsyncGenerator<string> {
    let ordinal = 0;
    for await (const { value, where } of readRecords(file)) {
      ordinal++;
      const converted = convert(value, where, !allStrings);
      if ('unsupported' in converted) continue;
      yield `${JSON.stringify({ id: `${name}-${ordinal}`, ...converted })}\n`;
    }
  }
  const source = displayPath(file);
  return {
    format: 'openai-evals',
    source,
    files: [
      assayConfigFile({
        format: 'openai-evals',
        source,
        prompts: [promptFile],
        targets: ['echo'],
        tasks: [tasksFile],
      }),
      allStrings
        ? textFile(promptFile, '{{ input }}', 'the sample input')
        : textFile(
            promptFile,
            `# Imported from ${source}: sends each sample's messages as they are.\n- messages: messages\n`,
            'the sample messages',
          ),
      streamedFile(tasksFile, count(tasks, 'task'), lines),
    ],
    skipped: skipped.list(),
    notes: [
      'one ideal answer is scored with `equals`, several with `contains-any`; OpenAI evals\' "Match" checks that the answer starts with an ideal (use `starts-with` for that)',
    ],
    counts: { prompts: 1, targets: 1, tasks },
    inputs: [path.resolve(file)],
  };
}
