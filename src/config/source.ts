import path from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { UserError } from '../errors.js';
import { readTextFile } from '../util/text-files.js';

export type FieldPath = ReadonlyArray<PropertyKey>;

/** A parsed data file that can tell where a field was written. */
export interface SourceDocument {
  file: string;
  value: unknown;
  /** `file:line:column` of the field at `fieldPath` (its key), or of its nearest written parent. */
  locate(fieldPath: FieldPath): string;
}

/** `targets[0].id` style rendering of a field path. */
export function formatFieldPath(fieldPath: FieldPath): string {
  let out = '';
  for (const key of fieldPath) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

/** Parses YAML (and so JSON) keeping positions; syntax errors become a UserError with line and column. */
export function parseYamlSource(text: string, file: string): SourceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const display = path.relative(process.cwd(), file) || file;
  const first = doc.errors[0];
  if (first) {
    const at = lineCounter.linePos(first.pos[0]);
    const reason = first.message.split('\n')[0] ?? first.message;
    throw new UserError(
      `invalid YAML: ${reason}`,
      `${display}:${at.line}:${at.col}`,
      'fix the syntax at that place',
    );
  }
  return {
    file: display,
    value: toValue(doc, display),
    locate(fieldPath) {
      for (let depth = fieldPath.length; depth >= 0; depth--) {
        const range = writtenAt(doc, fieldPath.slice(0, depth));
        if (range) {
          const at = lineCounter.linePos(range[0]);
          return `${display}:${at.line}:${at.col}`;
        }
      }
      return display;
    },
  };
}

/** Aliases (`*name`) a document may expand; more is an alias bomb (a few lines that expand to gigabytes). */
const MAX_ALIASES = 1000;

function toValue(doc: Document, display: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // The yaml library's only ReferenceErrors: too many aliases, or an alias to a missing anchor.
    if (!(error instanceof ReferenceError)) throw error;
    throw new UserError(
      /alias count/i.test(error.message)
        ? `its aliases (*name) expand to too many values (more than ${MAX_ALIASES}): a file written this way can take all memory`
        : `invalid YAML: ${error.message}`,
      display,
      'write the values out, or use fewer anchors and aliases',
      { cause: error },
    );
  }
}

/**
 * Where the field at `fieldPath` is written: its key in a mapping (a block value only starts on the
 * next line, and an unknown key has no value worth pointing at), else the list item or document.
 */
function writtenAt(doc: Document, fieldPath: FieldPath): Node['range'] | undefined {
  if (fieldPath.length === 0) return doc.contents?.range;
  const parent = fieldPath.length === 1 ? doc.contents : doc.getIn(fieldPath.slice(0, -1) as unknown[], true);
  const last = String(fieldPath[fieldPath.length - 1]);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === last);
    return (pair?.key as Node | null | undefined)?.range;
  }
  if (isSeq(parent)) return (parent.items[Number(last)] as Node | null | undefined)?.range;
  return undefined;
}

export async function readYamlFile(file: string): Promise<SourceDocument> {
  const display = path.relative(process.cwd(), file) || file;
  return parseYamlSource(await readTextFile(file, display, 'config file'), file);
}
