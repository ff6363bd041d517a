import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { decodeText, decodeTextStream, readTextFile } from './text-files.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'assay-text-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function caught(action: () => Promise<unknown> | unknown): Promise<UserError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('readTextFile', () => {
  it('reads UTF-8, dropping a byte-order mark', async () => {
    const file = path.join(root, 'ok.txt');
    await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('café ✓\n')]));
    expect(await readTextFile(file, 'ok.txt', 'prompt file')).toBe('café ✓\n');
  });

  it('names the line of the first byte that is not UTF-8', async () => {
    const file = path.join(root, 'latin1.txt');
    await writeFile(file, Buffer.concat([Buffer.from('one\ntwo\n'), Buffer.from('caf\xe9\n', 'latin1')]));
    const error = await caught(() => readTextFile(file, 'latin1.txt', 'prompt file'));
    expect(error.location).toBe('latin1.txt:3');
    expect(error.message).toBe(
      'this prompt file is not UTF-8 text: this line holds bytes of another encoding (Latin-1, Windows-1252?)',
    );
    expect(error.hint).toMatch(/save the file as UTF-8/);
  });

  it('says a binary file looks binary, in one short line', async () => {
    const file = path.join(root, 'binary.yaml');
    await writeFile(
      file,
      Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'), Buffer.alloc(4000, 7)]),
    );
    const error = await caught(() => readTextFile(file, 'binary.yaml', 'task file'));
    expect(error.location).toBe('binary.yaml');
    expect(error.message).toBe(
      'this task file looks binary, not text (it holds NUL bytes; a UTF-16 file does too)',
    );
  });

  it('names a file it cannot read', async () => {
    const error = await caught(() =>
      readTextFile(path.join(root, 'missing.txt'), 'missing.txt', 'prompt file'),
    );
    expect(error.message).toBe('cannot read prompt file: ENOENT');
  });
});

describe('decodeText', () => {
  it('checks bytes read synchronously the same way', () => {
    expect(() => decodeText(Buffer.from('a\n\xff\n', 'latin1'), 'judge.njk', 'judge prompt file')).toThrow(
      /judge prompt file is not UTF-8/,
    );
  });
});

describe('decodeTextStream', () => {
  async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
  }

  async function collect(stream: AsyncIterable<string>): Promise<string> {
    let text = '';
    for await (const piece of stream) text += piece;
    return text;
  }

  it('decodes characters split between chunks', async () => {
    const bytes = Buffer.from('→ naïve ✓\n'.repeat(50));
    const file = path.join(root, 'split.jsonl');
    await writeFile(file, bytes);
    expect(await collect(decodeTextStream(chunksOf(bytes, 3), file, 'split.jsonl', 'task file'))).toBe(
      bytes.toString('utf8'),
    );
  });

  it('names the line of a bad byte deep in the stream, and a truncated last character', async () => {
    const lines = Array.from({ length: 200 }, (_, index) => `{"id":"t${index + 1}"}`);
    const bad = Buffer.concat([
      Buffer.from(`${lines.slice(0, 150).join('\n')}\n{"id":"`),
      Buffer.from([0xff]),
      Buffer.from(`"}\n${lines.slice(151).join('\n')}\n`),
    ]);
    const file = path.join(root, 'bad.jsonl');
    await writeFile(file, bad);
    const error = await caught(() =>
      collect(decodeTextStream(chunksOf(bad, 64), file, 'bad.jsonl', 'task file')),
    );
    expect(error.location).toBe('bad.jsonl:151');

    const truncated = Buffer.concat([Buffer.from('a\nb '), Buffer.from('✓').subarray(0, 2)]);
    const cut = path.join(root, 'cut.jsonl');
    await writeFile(cut, truncated);
    const end = await caught(() =>
      collect(decodeTextStream(chunksOf(truncated, 4), cut, 'cut.jsonl', 'task file')),
    );
    expect(end.location).toBe('cut.jsonl:2');
  });

  it('refuses a stream that starts binary', async () => {
    const bytes = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(10)]);
    const file = path.join(root, 'zip.csv');
    await writeFile(file, bytes);
    const error = await caught(() =>
      collect(decodeTextStream(chunksOf(bytes, 8), file, 'zip.csv', 'task file')),
    );
    expect(error.message).toMatch(/looks binary/);
  });
});
