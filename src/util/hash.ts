import { hash } from 'node:crypto';

/** Thrown inside `fastCanonical` when a value needs the general path. */
const GENERAL = Symbol('general');

/** Keys JavaScript enumerates before all others (array indices), which the general path orders its own way. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * The canonical JSON of plain data (objects, arrays, strings, finite numbers, booleans, null),
 * written directly instead of through a `JSON.stringify` replacer that copies every object.
 * Anything else (toJSON, class instances, boxed values, index-like or `__proto__` keys, bigint)
 * throws GENERAL.
 */
function fastCanonical(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw GENERAL;
        let out = '[';
        for (let index = 0; index < value.length; index++) {
          if (index > 0) out += ',';
          out += fastCanonical(value[index]) ?? 'null';
        }
        return `${out}]`;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) throw GENERAL;
      const record = value as Record<string, unknown>;
      if (typeof record.toJSON === 'function') throw GENERAL;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        // The general path's sorted copy turns a "__proto__" key into a prototype, dropping it.
        if (INDEX_KEY.test(key) || key === '__proto__') throw GENERAL;
        const inner = fastCanonical(record[key]);
        if (inner === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:${inner}`;
      }
      return `${out}}`;
    }
    default:
      throw GENERAL;
  }
}

/** JSON with object keys sorted, so equal values always serialise (and hash) the same. */
export function canonicalJson(value: unknown): string {
  try {
    return fastCanonical(value) as string;
  } catch (error) {
    if (error !== GENERAL) throw error;
    return generalCanonicalJson(value);
  }
}

/** The definition of canonical JSON: what `canonicalJson` returns for every value. */
export function generalCanonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
      return sorted;
    }
    return inner;
  });
}

/** Hex sha256 of a string, cut to `length` characters. */
export function sha256(text: string | Buffer, length = 64): string {
  // The one-shot `crypto.hash` (Node 20.12+; Assay needs 20.19) skips a Hash object per call.
  const hex = hash('sha256', text, 'hex');
  return length >= 64 ? hex : hex.slice(0, length);
}

/** Short content hash used for versions and ids. */
export function contentHash(value: unknown, length = 12): string {
  return sha256(canonicalJson(value), length);
}
