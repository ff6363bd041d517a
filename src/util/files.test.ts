import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchFiles } from './files.js';

let root: string;
let base: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'assay-files-'));
  base = path.join(root, 'base');
  await mkdir(path.join(base, 'sub'), { recursive: true });
  await mkdir(path.join(base, 'dir.jsonl'));
  await mkdir(path.join(root, 'other'));
  await writeFile(path.join(base, 'a.jsonl'), '');
  await writeFile(path.join(base, 'a|b.jsonl'), '');
  await writeFile(path.join(base, 'sub', 'c.jsonl'), '');
  await writeFile(path.join(root, 'other', 'b.jsonl'), '');
  await symlink(path.join(base, 'a.jsonl'), path.join(base, 'link.jsonl'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('matchFiles', () => {
  it('matches plain paths exactly as tinyglobby does, relative and absolute', async () => {
    const patterns = [
      'a.jsonl',
      './a.jsonl',
      'missing.jsonl',
      'dir.jsonl',
      '../other/b.jsonl',
      path.join(root, 'other', 'b.jsonl'),
      'link.jsonl',
      'sub/../a.jsonl',
      'sub/c.jsonl',
      '*.jsonl',
      'sub/*.jsonl',
      '**/*.jsonl',
      '{a,link}.jsonl',
      'sub',
      'sub/',
      '.',
      './',
      'a|b.jsonl',
      'a.jsonl/',
    ];
    for (const pattern of patterns) {
      for (const absolute of [false, true]) {
        const expected = (await glob(pattern, { cwd: base, absolute, onlyFiles: true })).sort();
        const actual = (await matchFiles(pattern, base, { absolute })).sort();
        expect(actual, `${pattern} (absolute: ${absolute})`).toEqual(expected);
      }
    }
  });
});
