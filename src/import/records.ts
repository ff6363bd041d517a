import path from 'node:path';
import { parseYamlSource } from '../config/source.js';
import { readCsvRecords, readJsonlRecords, type SourceRecord } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { readTextFile } from '../util/text-files.js';
import { displayPath } from './names.js';

/** Reads a whole text file (UTF-8, see `readTextFile`); a failure is a UserError naming it. */
export function readSourceText(file: string, what = 'file'): Promise<string> {
  return readTextFile(file, displayPath(file), what);
}

/**
 * The samples of a dataset file, one at a time with their `file:line`: JSONL and CSV are streamed;
 * a JSON or YAML file holds one list (read whole, so large datasets belong in JSONL or CSV).
 */
export async function* readRecords(file: string): AsyncGenerator<SourceRecord<unknown>> {
  const display = displayPath(file);
  const extension = path.extname(file).toLowerCase();
  switch (extension) {
    case '.jsonl':
      yield* readJsonlRecords(file, display, 'file');
      return;
    case '.csv':
      yield* readCsvRecords(file, display, 'file');
      return;
    case '.json':
    case '.yaml':
    case '.yml': {
      const doc = parseYamlSource(await readSourceText(file), file);
      if (!Array.isArray(doc.value)) {
        throw new UserError(
          'expected a list of samples',
          doc.locate([]),
          'write a JSON array of sample objects, or use JSONL (one object per line)',
        );
      }
      for (const [index, value] of doc.value.entries()) yield { value, where: doc.locate([index]) };
      return;
    }
    default:
      throw new UserError(
        `unsupported dataset file type "${extension}"`,
        display,
        'use .jsonl, .json, .yaml or .csv',
      );
  }
}
