import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOutside, leadsOutside, realPathOf } from './paths.js';

let root: string;
let project: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'assay-paths-')));
  project = path.join(root, 'project');
  await mkdir(path.join(project, 'tasks'), { recursive: true });
  await mkdir(path.join(root, 'elsewhere'));
  await symlink(path.join(root, 'elsewhere'), path.join(project, 'out-link'));
  await symlink(path.join(project, 'tasks'), path.join(project, 'in-link'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('isOutside', () => {
  it('tells paths below a folder from paths beside or above it', () => {
    expect(isOutside('/p', '/p/tasks/a.yaml')).toBe(false);
    expect(isOutside('/p', '/p')).toBe(false);
    expect(isOutside('/p', '/p2/a.yaml')).toBe(true);
    expect(isOutside('/p', '/a.yaml')).toBe(true);
    expect(isOutside('/p', '/p/../a.yaml')).toBe(true);
  });
});

describe('realPathOf', () => {
  it('resolves the links of a path that does not exist yet', async () => {
    expect(await realPathOf(path.join(project, 'out-link', 'new', 'a.yaml'))).toBe(
      path.join(root, 'elsewhere', 'new', 'a.yaml'),
    );
  });
});

describe('leadsOutside', () => {
  it('refuses .., absolute paths and links leading out; accepts links that stay in', async () => {
    expect(await leadsOutside(project, 'tasks/added.yaml')).toBe(false);
    expect(await leadsOutside(project, 'in-link/added.yaml')).toBe(false);
    expect(await leadsOutside(project, '../../outside.yaml')).toBe(true);
    expect(await leadsOutside(project, '/tmp/outside.yaml')).toBe(true);
    expect(await leadsOutside(project, 'out-link/added.yaml')).toBe(true);
    expect(await leadsOutside(project, 'out-link/new/deeper/added.yaml')).toBe(true);
  });
});
