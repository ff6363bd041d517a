import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { UserError } from '../errors.js';
import { formatFieldPath } from './source.js';
import { validate } from './validate.js';

const schema = z
  .object({
    name: z.string(),
    count: z.number().int().min(1).max(10).default(1),
    tags: z.array(z.string()).min(1).optional(),
    mode: z.union([z.literal('fast'), z.literal('slow')]).optional(),
  })
  .strict();

const locate = (fieldPath: ReadonlyArray<PropertyKey>) => `f.yaml<${formatFieldPath(fieldPath)}>`;

function failure(value: unknown): UserError {
  try {
    validate(schema, value, locate, 'settings');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected validation to fail');
}

describe('validate', () => {
  it('returns the parsed value with defaults applied', () => {
    expect(validate(schema, { name: 'a' }, locate, 'settings')).toEqual({ name: 'a', count: 1 });
  });

  it('names the field, its location and a hint for a single problem', () => {
    const error = failure({ name: 'a', count: 'many' });
    expect(error.message).toBe('invalid settings: count: Invalid input: expected number, received string');
    expect(error.location).toBe('f.yaml<count>');
    expect(error.hint).toBe('write a value of type number');
  });

  it.each([
    [{ name: 'a', count: 0 }, 'use a larger value'],
    [{ name: 'a', count: 11 }, 'use a smaller value'],
    [{ name: 'a', tags: [] }, 'add at least one entry'],
    [{ name: 'a', mode: 'medium' }, 'see `assay schema` for the accepted'],
  ])('gives a hint that fits the problem: %j', (value, hint) => {
    expect(failure(value).hint).toContain(hint);
  });

  it('locates an unknown key at the key itself', () => {
    const error = failure({ name: 'a', cuont: 2 });
    expect(error.location).toBe('f.yaml<cuont>');
    expect(error.message).toBe('invalid settings: cuont: Unrecognized key: "cuont"');
    expect(error.hint).toBe('remove "cuont" or check the spelling (see `assay schema`)');
  });

  it('lists several problems one per line, each with its place and fix', () => {
    const error = failure({ nmae: 'a' });
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('invalid settings:');
    expect(lines).toContainEqual(
      '  f.yaml<name>: name: Invalid input: expected string, received undefined (write a value of type string)',
    );
    expect(lines).toContainEqual(
      '  f.yaml<nmae>: nmae: Unrecognized key: "nmae" (remove "nmae" or check the spelling (see `assay schema`))',
    );
    expect(error.hint).toBe('fix each place listed above');
  });

  it('locates an unknown key at the key itself, not at its parent', () => {
    const calls: string[] = [];
    const spy = (fieldPath: ReadonlyArray<PropertyKey>) => {
      calls.push(formatFieldPath(fieldPath));
      return 'x';
    };
    expect(() => validate(schema, { name: 1, extra: true }, spy, 'settings')).toThrow(UserError);
    expect(calls).toContain('extra');
    expect(calls).toContain('name');
    expect(calls).not.toContain('(top level)');
  });

  it('lists at most five problems and counts the rest', () => {
    const many = z.object({
      a: z.string(),
      b: z.string(),
      c: z.string(),
      d: z.string(),
      e: z.string(),
      f: z.string(),
      g: z.string(),
    });
    const error = (() => {
      try {
        validate(many, {}, locate, 'thing');
      } catch (caught) {
        return caught as UserError;
      }
      throw new Error('expected a failure');
    })();
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('invalid thing:');
    expect(lines[6]).toBe('  … and 2 more problems');
  });
});
