import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { formatFieldPath, parseYamlSource, readYamlFile } from './source.js';

// Locations are shown relative to the working directory, so files under it read as plain names.
const FILE = path.join(process.cwd(), 'sample.yaml');

function syntaxError(text: string): UserError {
  try {
    parseYamlSource(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a syntax error');
}

describe('formatFieldPath', () => {
  it('renders keys with dots and indexes in brackets', () => {
    expect(formatFieldPath(['targets', 0, 'config', 'temperature'])).toBe('targets[0].config.temperature');
    expect(formatFieldPath([2, 'vars'])).toBe('[2].vars');
    expect(formatFieldPath([])).toBe('(top level)');
  });
});

describe('parseYamlSource', () => {
  const text = ['a:', '  b:', '    - x', '    - {c: 1}', 'd: 3', ''].join('\n');

  it('parses YAML and JSON into plain values', () => {
    expect(parseYamlSource(text, FILE).value).toEqual({ a: { b: ['x', { c: 1 }] }, d: 3 });
    expect(parseYamlSource('{"x": [1, 2]}', FILE).value).toEqual({ x: [1, 2] });
  });

  it('locates a field at its key, a list item at the item, and the document at 1:1', () => {
    const doc = parseYamlSource(text, FILE);
    expect(doc.file).toBe('sample.yaml');
    expect(doc.locate([])).toBe('sample.yaml:1:1');
    expect(doc.locate(['a', 'b'])).toBe('sample.yaml:2:3');
    expect(doc.locate(['a', 'b', 0])).toBe('sample.yaml:3:7');
    expect(doc.locate(['a', 'b', 1])).toBe('sample.yaml:4:7');
    expect(doc.locate(['a', 'b', 1, 'c'])).toBe('sample.yaml:4:8');
    expect(doc.locate(['d'])).toBe('sample.yaml:5:1');
  });

  it('falls back to the nearest written parent for a field that is not there', () => {
    const doc = parseYamlSource(text, FILE);
    expect(doc.locate(['a', 'b', 7])).toBe('sample.yaml:2:3');
    expect(doc.locate(['a', 'missing', 'deeper'])).toBe('sample.yaml:1:1');
  });

  it('finds numeric mapping keys by their text', () => {
    const doc = parseYamlSource('x: 0\n200: ok\n', FILE);
    expect(doc.locate(['200'])).toBe('sample.yaml:2:1');
  });

  it('reports a syntax error with its line and column', () => {
    const error = syntaxError('a: 1\nb: x: y\n');
    expect(error.message).toBe('invalid YAML: Nested mappings are not allowed in compact mappings');
    expect(error.location).toBe('sample.yaml:2:4');
    expect(error.hint).toBe('fix the syntax at that place');
  });

  it('reports an unclosed quote and a duplicate key', () => {
    expect(syntaxError('a: 1\nb: "open\n').message).toContain('Missing closing "quote');
    const duplicate = syntaxError('a: 1\nb: 2\na: 3\n');
    expect(duplicate.message).toContain('Map keys must be unique');
    expect(duplicate.location).toBe('sample.yaml:3:1');
  });

  it('keeps only the first line of a long parser message', () => {
    const error = syntaxError('a:\n  - b\n c: 1\n');
    expect(error.message).not.toContain('\n');
    expect(error.location).toBe('sample.yaml:3:1');
  });
});

describe('readYamlFile', () => {
  it('reads and parses a file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'assay-source-'));
    try {
      await writeFile(path.join(dir, 'x.yaml'), 'k: [1, 2]\n');
      expect((await readYamlFile(path.join(dir, 'x.yaml'))).value).toEqual({ k: [1, 2] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a file it cannot read with the error code', async () => {
    const missing = path.join(tmpdir(), 'assay-no-such-dir', 'x.yaml');
    const error = await readYamlFile(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('cannot read config file: ENOENT');
    expect((error as UserError).location).toBe(path.relative(process.cwd(), missing));
  });

  it('refuses an alias bomb, naming the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'assay-source-'));
    try {
      // Ten levels of nine aliases each: a billion values from a dozen lines.
      const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
      for (let level = 1; level < 10; level++) {
        lines.push(
          `a${level}: &a${level} [${Array(9)
            .fill(`*a${level - 1}`)
            .join(', ')}]`,
        );
      }
      const file = path.join(dir, 'bomb.yaml');
      await writeFile(file, `${lines.join('\n')}\n`);
      const error = await readYamlFile(file).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/aliases \(\*name\) expand to too many values/);
      expect((error as UserError).location).toBe(path.relative(process.cwd(), file));
      expect((error as UserError).hint).toBe('write the values out, or use fewer anchors and aliases');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
