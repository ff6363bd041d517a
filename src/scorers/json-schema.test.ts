import { beforeEach, describe, expect, it } from 'vitest';
import { COMPILED_SCHEMAS_KEPT, compiledSchemas, compileJsonSchema } from './json-schema.js';

/** A schema of its own for each number: an object whose `p<n>` must be a number. */
const schemaNumber = (n: number) => ({
  $id: `https://example.com/schemas/${n}`,
  type: 'object',
  properties: { [`p${n}`]: { type: 'number' } },
  required: [`p${n}`],
});

describe('the compiled-schema cache', () => {
  beforeEach(() => compiledSchemas.clear());

  it('compiles a schema once however many tasks use it', () => {
    compileJsonSchema(schemaNumber(1));
    compileJsonSchema(schemaNumber(1));
    expect(compiledSchemas.size).toBe(1);
  });

  it(`keeps at most ${COMPILED_SCHEMAS_KEPT} schemas, dropping the least recently used from ajv too`, () => {
    const first = compileJsonSchema(schemaNumber(0));
    const [held] = [...compiledSchemas.values()];
    expect(held!.ajv.getSchema('https://example.com/schemas/0')).toBeDefined();
    for (let n = 1; n <= COMPILED_SCHEMAS_KEPT; n++) compileJsonSchema(schemaNumber(n));
    expect(compiledSchemas.size).toBe(COMPILED_SCHEMAS_KEPT);
    // The oldest is gone from the cache and from ajv's registry of ids.
    expect([...compiledSchemas.values()].some((entry) => entry.schema === held!.schema)).toBe(false);
    expect(held!.ajv.getSchema('https://example.com/schemas/0')).toBeUndefined();
    // A validator handed out before still works, and the schema compiles again when asked.
    expect(first({ p0: 1 })).toBeUndefined();
    expect(first({ p0: 'x' })).toMatch(/must be number/);
    const again = compileJsonSchema(schemaNumber(0));
    expect(again({})).toMatch(/must have required property 'p0'/);
    expect(compiledSchemas.size).toBe(COMPILED_SCHEMAS_KEPT);
  });

  it('a recently used schema outlives older ones', () => {
    compileJsonSchema(schemaNumber(0));
    for (let n = 1; n < COMPILED_SCHEMAS_KEPT; n++) compileJsonSchema(schemaNumber(n));
    compileJsonSchema(schemaNumber(0));
    compileJsonSchema(schemaNumber(COMPILED_SCHEMAS_KEPT));
    const ids = [...compiledSchemas.values()].map((entry) => (entry.schema as { $id: string }).$id);
    expect(ids).toContain('https://example.com/schemas/0');
    expect(ids).not.toContain('https://example.com/schemas/1');
  });
});
