/** JSON Schema validation (ajv) for `is-json`, `contains-json` and `tool-call`. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import path from 'node:path';
import type { Ajv, ErrorObject, Format, Options, ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { UserError } from '../errors.js';
import type { AssertionSpec } from '../types.js';
import { findJsonProblem, lineAndColumn } from './json-error.js';
import { clip, describeValue } from './text.js';

/** Checks one JSON value: `undefined` when it matches, else the first few problems, one line. */
export type JsonValidator = (data: unknown) => string | undefined;

/** A schema ajv cannot compile; the message says why. */
export class InvalidSchemaError extends Error {
  override name = 'InvalidSchemaError';
}

/** How many validation errors a reason lists. */
const LISTED_ERRORS = 3;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/i;
const HOSTNAME_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function isDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The formats ajv checks (ajv itself knows none; these are the common ones, kept small rather than
 * adding a dependency). Any other `format` makes the schema invalid, so a typo is not ignored.
 */
const FORMATS: Record<string, Format> = {
  date: isDate,
  time: (text) => TIME.test(text),
  'date-time': (text) => {
    const [date, time, ...rest] = text.split(/[tT ]/);
    return rest.length === 0 && date !== undefined && time !== undefined && isDate(date) && TIME.test(time);
  },
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: /^[a-z][a-z0-9+.-]*:[^\s]*$/i,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  ipv4: isIPv4,
  ipv6: isIPv6,
  hostname: (text) => text.length <= 253 && text.split('.').every((label) => HOSTNAME_LABEL.test(label)),
};

/** The `format` values schemas may use. */
export const SUPPORTED_FORMATS: readonly string[] = Object.keys(FORMATS);

type Dialect = 'draft-07' | '2019-09' | '2020-12';

function dialectOf(schema: object): Dialect {
  const declared = (schema as { $schema?: unknown }).$schema;
  if (typeof declared === 'string' && declared.includes('2020-12')) return '2020-12';
  if (typeof declared === 'string' && declared.includes('2019-09')) return '2019-09';
  return 'draft-07';
}

/**
 * ajv is loaded on first use, not with the module: most runs have no schema to check, and loading
 * it cost every `assay run` start-up ~25 ms (docs/benchmarks.md).
 */
const requireFromHere = createRequire(import.meta.url);

/** The module and export of each dialect's ajv class. */
const AJV_CLASSES: Record<Dialect, readonly [file: string, exportName: string]> = {
  '2020-12': ['ajv/dist/2020.js', 'Ajv2020'],
  '2019-09': ['ajv/dist/2019.js', 'Ajv2019'],
  'draft-07': ['ajv', 'Ajv'],
};

function createAjv(dialect: Dialect, strict: boolean): Ajv {
  const options: Options = {
    allErrors: true,
    // Unknown keywords are typos in a schema written for an assertion; tool schemas written for a
    // provider may carry its extensions, so they are not held to that.
    strictSchema: strict,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
    logger: false,
    formats: FORMATS,
  };
  const [file, name] = AJV_CLASSES[dialect];
  const Class = (requireFromHere(file) as Record<string, new (options: Options) => Ajv>)[name]!;
  return new Class(options);
}

/** One ajv per dialect and strictness (at most six). */
const instances = new Map<string, Ajv>();

interface CompiledSchema {
  validate: ValidateFunction;
  /** The instance that holds the schema, and the object it was compiled from (ajv's key for it). */
  ajv: Ajv;
  schema: object;
}

/** How many compiled schemas are kept; a server running many configs compiles without bound. */
export const COMPILED_SCHEMAS_KEPT = 256;

/**
 * Compiled validators by dialect, strictness and schema text: tasks sharing a schema compile it
 * once. Bounded: the least recently used is dropped, from ajv's own registry too.
 */
export const compiledSchemas = new LRUCache<string, CompiledSchema>({
  max: COMPILED_SCHEMAS_KEPT,
  dispose: (entry) => {
    entry.ajv.removeSchema(entry.schema);
  },
});

/**
 * Compiles a JSON Schema (draft-07 by default; 2019-09 and 2020-12 when `$schema` says so),
 * throwing `InvalidSchemaError` with the problem when it is not a valid schema.
 * @param strict reject unknown keywords (default true).
 */
export function compileJsonSchema(schema: unknown, { strict = true } = {}): JsonValidator {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new InvalidSchemaError(`a JSON Schema must be an object, got ${describeValue(schema)}`);
  }
  const dialect = dialectOf(schema);
  const instanceKey = `${dialect} ${strict}`;
  let text: string | undefined;
  try {
    text = JSON.stringify(schema);
  } catch {
    text = undefined;
  }
  const key = text === undefined ? undefined : `${instanceKey}\n${text}`;
  let entry = key === undefined ? undefined : compiledSchemas.get(key);
  if (!entry) {
    let ajv = instances.get(instanceKey);
    if (!ajv) {
      ajv = createAjv(dialect, strict);
      instances.set(instanceKey, ajv);
    }
    entry = compileWith(ajv, schema, () => createAjv(dialect, strict));
    // A schema with no text (a cycle) cannot be found again: ajv need not keep it either.
    if (key === undefined) entry.ajv.removeSchema(entry.schema);
    else compiledSchemas.set(key, entry);
  }
  const check = entry.validate;
  return (data) => (check(data) ? undefined : describeSchemaErrors(check.errors ?? []));
}

function compileWith(ajv: Ajv, schema: object, fresh?: () => Ajv): CompiledSchema {
  try {
    if (!ajv.validateSchema(schema)) {
      throw new InvalidSchemaError(`not a valid JSON Schema: ${describeSchemaErrors(ajv.errors ?? [])}`);
    }
    return { validate: ajv.compile(schema), ajv, schema };
  } catch (error) {
    if (error instanceof InvalidSchemaError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // Two different schemas with the same `$id` cannot share an instance.
    if (/already exists/.test(message)) {
      if (fresh) return compileWith(fresh(), schema);
    } else {
      // ajv registered the schema before compiling it failed.
      ajv.removeSchema(schema);
    }
    throw new InvalidSchemaError(message.replace(/^strict mode: /, ''), { cause: error });
  }
}

/** `/age must be >= 0; (root) must have required property 'name'` (first few, then `…and N more`). */
export function describeSchemaErrors(errors: readonly ErrorObject[]): string {
  const shown = errors.slice(0, LISTED_ERRORS).map((error) => {
    const at = error.instancePath === '' ? '(root)' : error.instancePath;
    return `${at} ${error.message ?? `fails "${error.keyword}"`}${errorDetail(error)}`;
  });
  const more = errors.length - LISTED_ERRORS;
  return more > 0 ? `${shown.join('; ')}; …and ${more} more` : shown.join('; ');
}

function errorDetail(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return ` (${JSON.stringify(params.additionalProperty)})`;
  if (error.keyword === 'enum') return ` (${clip(JSON.stringify(params.allowedValues), 60)})`;
  if (error.keyword === 'const') return ` (${clip(JSON.stringify(params.allowedValue), 60)})`;
  return '';
}

/**
 * The optional schema of a JSON assertion: `spec.value`, or `options.schema`, is an inline schema
 * object or the path of a `.json` file resolved against `baseDir` (read now). Returns `undefined`
 * when there is none; throws a `UserError` for a missing or unreadable file, invalid JSON, or an
 * invalid schema.
 */
export function schemaOfAssertion(
  scorer: string,
  spec: AssertionSpec,
  where: string,
  baseDir: string,
): JsonValidator | undefined {
  const fromOptions = spec.options?.schema;
  if (spec.value !== undefined && fromOptions !== undefined) {
    throw new UserError(
      `${scorer} takes its JSON Schema from "value" or "options.schema", not both`,
      where,
      'remove one of them',
    );
  }
  const source = spec.value ?? fromOptions;
  if (source === undefined) return undefined;
  let schema: unknown = source;
  let shown = 'the inline schema';
  if (typeof source === 'string') {
    if (!/\.json$/i.test(source)) {
      throw new UserError(
        `${scorer} needs a JSON Schema object or the path of a .json schema file, got ${describeValue(source)}`,
        where,
        'write the schema inline (value: { type: object, required: [name] }) or give a file, e.g. value: schemas/answer.json',
      );
    }
    shown = source;
    schema = readSchemaFile(scorer, source, path.resolve(baseDir, source), where);
  } else if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new UserError(
      `${scorer} needs a JSON Schema object or the path of a .json schema file, got ${describeValue(source)}`,
      where,
      'for example value: { type: object, required: [name] }',
    );
  }
  try {
    return compileJsonSchema(schema);
  } catch (error) {
    if (!(error instanceof InvalidSchemaError)) throw error;
    throw new UserError(
      `${scorer}: invalid JSON Schema in ${shown}: ${error.message}`,
      where,
      `fix the schema (draft-07 unless "$schema" names 2019-09 or 2020-12; formats: ${SUPPORTED_FORMATS.join(', ')})`,
      { cause: error },
    );
  }
}

function readSchemaFile(scorer: string, written: string, file: string, where: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(
      missing
        ? `${scorer}: JSON Schema file not found: ${written}`
        : `${scorer}: cannot read JSON Schema file ${written}: ${(error as Error).message}`,
      where,
      `the path is relative to the config directory (resolved to ${file})`,
      { cause: error },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const problem = findJsonProblem(text);
    const position = problem ? lineAndColumn(text, problem.offset) : undefined;
    throw new UserError(
      `${scorer}: JSON Schema file ${written} is not valid JSON${
        position && problem
          ? ` at line ${position.line}, column ${position.column}: ${problem.message}`
          : `: ${(error as Error).message}`
      }`,
      where,
      'fix the JSON in that file',
      { cause: error },
    );
  }
}
