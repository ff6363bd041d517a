import path from 'node:path';
import { parseYamlSource, type SourceDocument } from '../../config/source.js';
import { readCsvRecords, readJsonlRecords } from '../../datasets/load.js';
import { displayPath, slug, UniqueNames } from '../names.js';
import { type AssertionOut, convertAssertion, graderFor, MODEL_GRADED } from './assertions.js';
import { fileRef, isRecord, isStructured, type PromptfooContext } from './context.js';
import { parseExpected } from './expected.js';

/** A promptfoo test case and where it is written. */
export interface RawTest {
  value: Record<string, unknown>;
  where: string;
  locate: (inner: PropertyKey[]) => string;
}

/** An Assay task as written to the task file. */
export interface TaskOut {
  id: string;
  description?: string;
  vars: Record<string, unknown>;
  assert?: AssertionOut[];
  threshold?: number;
  metadata?: Record<string, unknown>;
}

const SCRIPT = /\.(js|ts|mjs|cjs|py)(:[\w.]+)?$/i;
const BINARY = /\.(png|jpe?g|gif|webp|bmp|pdf|mp3|wav|mp4)$/i;

const TEST_OPTION_REASONS: Record<string, string> = {
  transform: 'output transforms are not supported (assertions see the raw output)',
  postprocess: 'output transforms are not supported (assertions see the raw output)',
  transformVars: 'variable transforms are not supported',
  prefix: 'prompt prefixes are not supported; add the text to the prompt',
  suffix: 'prompt suffixes are not supported; add the text to the prompt',
  rubricPrompt: 'custom rubric prompts are not mapped; Assay uses its built-in judge prompt',
  storeOutputAs: 'chaining outputs between tests is not supported',
  runSerially: 'Assay decides the order; every task is independent',
};
const TEST_KEY_REASONS: Record<string, string> = {
  provider: 'per-test providers are not supported; Assay runs every task on every target',
  providerOutput: 'fixed provider outputs are not supported',
  assertScoringFunction: 'custom scoring functions are not supported; Assay uses the weighted mean',
};

/** The tests of a YAML/JSON test file: a list of tests, or one test. */
function testsInDocument(doc: SourceDocument, context: PromptfooContext): RawTest[] {
  const items = Array.isArray(doc.value) ? doc.value : [doc.value];
  return items.flatMap((item, index) => {
    const at = Array.isArray(doc.value) ? [index] : [];
    if (isRecord(item)) {
      return [{ value: item, where: doc.locate(at), locate: (inner) => doc.locate([...at, ...inner]) }];
    }
    context.skip(`test ${index + 1} of ${doc.file}`, doc.locate(at), 'a test must be an object');
    return [];
  });
}

/** Test cases from a `tests:` file reference (YAML, JSON, JSONL or a promptfoo CSV). */
async function testsFromFile(
  reference: string,
  where: string,
  context: PromptfooContext,
): Promise<RawTest[]> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(reference) && !reference.startsWith('file://')) {
    context.skip(
      `tests ${reference}`,
      where,
      'remote datasets (Hugging Face, Google Sheets, URLs) are not fetched; download the file first',
    );
    return [];
  }
  const tests: RawTest[] = [];
  for (const file of await context.expand(fileRef(reference) ?? reference, where)) {
    const extension = path.extname(file).toLowerCase();
    const absolute = context.resolve(file);
    const display = displayPath(absolute);
    if (isStructured(file)) {
      const doc = parseYamlSource(await context.readText(file, where), absolute);
      tests.push(...testsInDocument(doc, context));
    } else if (extension === '.jsonl') {
      context.inputs.add(absolute);
      for await (const record of readJsonlRecords(absolute, display, 'test file')) {
        if (isRecord(record.value))
          tests.push({ value: record.value, where: record.where, locate: () => record.where });
      }
    } else if (extension === '.csv') {
      context.inputs.add(absolute);
      const reported = new Set<string>();
      for await (const record of readCsvRecords(absolute, display, 'test file')) {
        tests.push({
          value: csvTest(record.value, display, reported, context),
          where: record.where,
          locate: () => record.where,
        });
      }
    } else {
      context.skip(
        `tests ${file}`,
        where,
        SCRIPT.test(file)
          ? 'test generators (.js, .py) are not supported'
          : `test files of type "${extension}" are not supported`,
      );
    }
  }
  return tests;
}

/** A promptfoo CSV row: columns are vars; `__expected[N]`, `__description`, `__metadata:*`… are special. */
function csvTest(
  row: Record<string, string>,
  display: string,
  reported: Set<string>,
  context: PromptfooContext,
): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  const assert: unknown[] = [];
  const metadata: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  const test: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(row)) {
    if (!column.startsWith('__')) vars[column] = cell;
    else if (/^__expected\d*$/.test(column)) {
      const assertion = parseExpected(cell);
      if (assertion) assert.push(assertion);
    } else if (column === '__description') {
      if (cell) test.description = cell;
    } else if (column === '__threshold') {
      if (cell) test.threshold = Number(cell);
    } else if (column.startsWith('__metadata:')) {
      const key = column.slice('__metadata:'.length);
      if (cell === '') continue;
      if (key.endsWith('[]'))
        metadata[key.slice(0, -2)] = cell
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      else metadata[key] = cell;
    } else if (column === '__prefix' || column === '__suffix') {
      if (cell) options[column.slice(2)] = cell;
    } else if (!reported.has(column)) {
      reported.add(column);
      context.skip(`CSV column ${column}`, `${display}:1`, 'not a promptfoo special column Assay maps');
    }
  }
  return {
    ...test,
    vars,
    ...(assert.length > 0 ? { assert } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

/** Every test case of `tests:`: inline objects and file references, in order. */
export async function collectTests(
  value: unknown,
  doc: SourceDocument,
  context: PromptfooContext,
): Promise<RawTest[]> {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const tests: RawTest[] = [];
  for (const [index, item] of items.entries()) {
    const at = Array.isArray(value) ? ['tests', index] : ['tests'];
    if (typeof item === 'string') tests.push(...(await testsFromFile(item, doc.locate(at), context)));
    else if (isRecord(item))
      tests.push({ value: item, where: doc.locate(at), locate: (inner) => doc.locate([...at, ...inner]) });
    else context.skip(`test ${index + 1}`, doc.locate(at), 'a test must be an object or a file reference');
  }
  return tests;
}

/** What one test (or defaultTest) contributes to the tasks built from it. */
interface Layer {
  vars: Record<string, unknown>;
  assert: AssertionOut[];
  /** Assertions written, mapped or not (to tell "none written" from "none left"). */
  written: number;
  threshold?: number;
  metadata: Record<string, unknown>;
  grader?: string;
  disableVarExpansion: boolean;
}

async function convertVars(
  vars: unknown,
  owner: string,
  test: RawTest,
  context: PromptfooContext,
): Promise<Record<string, unknown> | undefined> {
  let record = vars;
  const ref = fileRef(vars);
  if (ref !== undefined && isStructured(ref)) record = await context.readValue(ref, test.locate(['vars']));
  if (record === undefined) return {};
  if (!isRecord(record)) {
    context.skip(owner, test.locate(['vars']), '"vars" must be a mapping of names to values');
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    const file = fileRef(value);
    if (file === undefined) out[name] = value;
    else if (SCRIPT.test(file) || BINARY.test(file)) {
      context.skip(
        owner,
        test.locate(['vars', name]),
        `var "${name}" loads ${String(value)}; only text files are inlined`,
      );
      return undefined;
    } else out[name] = await context.readText(file, test.locate(['vars', name]));
  }
  return out;
}

async function convertLayer(
  test: RawTest,
  owner: string,
  context: PromptfooContext,
): Promise<Layer | undefined> {
  const raw = test.value;
  const vars = await convertVars(raw.vars, owner, test, context);
  if (!vars) return undefined;
  const layer: Layer = { vars, assert: [], written: 0, metadata: {}, disableVarExpansion: false };
  for (const [key, value] of Object.entries(raw)) {
    const where = test.locate([key]);
    if (key === 'vars' || key === 'description') continue;
    if (key === 'assert' && Array.isArray(value)) {
      layer.written = value.length;
      for (const [index, assertion] of value.entries()) {
        const place = { owner, index, where: test.locate(['assert', index]) };
        const mapped = await convertAssertion(assertion, place, context);
        if (mapped) layer.assert.push(mapped);
      }
    } else if (key === 'threshold' && typeof value === 'number' && value >= 0 && value <= 1)
      layer.threshold = value;
    else if (key === 'metadata' && isRecord(value)) layer.metadata = value;
    else if (key === 'options' && isRecord(value)) {
      for (const [option, setting] of Object.entries(value)) {
        if (option === 'disableVarExpansion') layer.disableVarExpansion = setting === true;
        else if (option === 'provider') {
          const grader = graderFor(setting);
          if ('grader' in grader) layer.grader = grader.grader;
          else context.skip(`${owner} options.provider`, test.locate(['options', option]), grader.problem);
        } else {
          const reason = TEST_OPTION_REASONS[option] ?? `the test option "${option}" is not supported`;
          context.skip(`${owner} options.${option}`, test.locate(['options', option]), reason);
        }
      }
    } else {
      context.skip(
        `${owner} ${key}`,
        where,
        TEST_KEY_REASONS[key] ?? `the test setting "${key}" is not supported`,
      );
    }
  }
  return layer;
}

/** Every combination of the values of array-valued vars, as promptfoo expands them. */
function expandVars(vars: Record<string, unknown>): Array<Record<string, unknown>> {
  let combinations: Array<Record<string, unknown>> = [{}];
  for (const [name, value] of Object.entries(vars)) {
    const values = Array.isArray(value) && value.length > 0 ? value : [value];
    combinations = combinations.flatMap((partial) => values.map((item) => ({ ...partial, [name]: item })));
  }
  return combinations;
}

const NO_DEFAULT: Layer = { vars: {}, assert: [], written: 0, metadata: {}, disableVarExpansion: false };

/**
 * Converts promptfoo tests to Assay tasks: defaultTest merged into each (vars, assertions first,
 * threshold, metadata, grader), array-valued vars expanded into one task per combination.
 */
export async function convertTests(
  tests: RawTest[],
  defaultTest: RawTest | undefined,
  context: PromptfooContext,
): Promise<TaskOut[]> {
  const base = defaultTest
    ? ((await convertLayer(defaultTest, 'defaultTest', context)) ?? NO_DEFAULT)
    : NO_DEFAULT;
  const tasks: TaskOut[] = [];
  const ids = new UniqueNames();
  for (const [index, test] of tests.entries()) {
    const description = typeof test.value.description === 'string' ? test.value.description : undefined;
    const owner = description ? `test "${description}"` : `test ${index + 1}`;
    const layer = await convertLayer(test, owner, context);
    if (!layer) continue;
    const grader = layer.grader ?? base.grader;
    const assert = [...base.assert, ...layer.assert].map((assertion) =>
      grader && !assertion.grader && MODEL_GRADED.has(assertion.type.replace(/^not-/, ''))
        ? { ...assertion, grader }
        : assertion,
    );
    if (assert.length === 0 && base.written + layer.written > 0) {
      context.note(`${owner}: none of its assertions could be imported, so its task has none`);
    }
    const threshold = layer.threshold ?? base.threshold;
    const metadata = { ...base.metadata, ...layer.metadata };
    const vars = { ...base.vars, ...layer.vars };
    const combinations = layer.disableVarExpansion || base.disableVarExpansion ? [vars] : expandVars(vars);
    const id = ids.take(description ? slug(description, 'test') : `test-${index + 1}`);
    if (combinations.length > 1) {
      context.note(
        `${owner}: array-valued vars expand to ${combinations.length} tasks (${id}-1 … ${id}-${combinations.length})`,
      );
    }
    combinations.forEach((combination, n) => {
      tasks.push({
        id: combinations.length > 1 ? ids.take(`${id}-${n + 1}`) : id,
        ...(description ? { description } : {}),
        vars: combination,
        ...(assert.length > 0 ? { assert } : {}),
        ...(threshold !== undefined ? { threshold } : {}),
        ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      });
    });
  }
  return tasks;
}
