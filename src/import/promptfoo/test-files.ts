import path from 'node:path';
import { parseYamlSource, type SourceDocument } from '../../config/source.js';
import { readCsvRecords, readJsonlRecords } from '../../datasets/load.js';
import { displayPath } from '../names.js';
import { fileRef, isRecord, isStructured, type PromptfooContext } from './context.js';
import { parseExpected } from './expected.js';

/** A promptfoo test case and where it is written. */
export interface RawTest {
  value: Record<string, unknown>;
  where: string;
  locate: (inner: PropertyKey[]) => string;
}

/** Script files: test generators, prompt functions, code-loading vars. */
export const SCRIPT = /\.(js|ts|mjs|cjs|py)(:[\w.]+)?$/i;

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
      for (const test of testsInDocument(doc, context)) tests.push(test);
    } else if (extension === '.jsonl') {
      await context.admit(file, where);
      context.inputs.add(absolute);
      for await (const record of readJsonlRecords(absolute, display, 'test file')) {
        if (isRecord(record.value))
          tests.push({ value: record.value, where: record.where, locate: () => record.where });
      }
    } else if (extension === '.csv') {
      await context.admit(file, where);
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
      // A cell that is not a number stays text, so the test's check reports it.
      if (cell.trim()) test.threshold = Number.isFinite(Number(cell)) ? Number(cell) : cell;
    } else if (column.startsWith('__metadata:')) {
      const key = column.slice('__metadata:'.length);
      if (cell === '') continue;
      if (key.endsWith('[]')) metadata[key.slice(0, -2)] = metadataList(cell);
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

/** A `__metadata:<key>[]` cell: comma-separated, `\,` for a comma inside an item (as promptfoo reads it). */
function metadataList(cell: string): string[] {
  return cell
    .split(/(?<!\\),/)
    .map((item) => item.replaceAll('\\,', ',').trim())
    .filter(Boolean);
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
    if (typeof item === 'string') {
      for (const test of await testsFromFile(item, doc.locate(at), context)) tests.push(test);
    } else if (isRecord(item))
      tests.push({ value: item, where: doc.locate(at), locate: (inner) => doc.locate([...at, ...inner]) });
    else context.skip(`test ${index + 1}`, doc.locate(at), 'a test must be an object or a file reference');
  }
  return tests;
}
