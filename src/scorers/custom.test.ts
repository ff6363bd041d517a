import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { loadCustomScorers } from './custom.js';
import { ScorerRegistry } from './registry.js';
import { makeInput, makeTask, WHERE } from './test-helpers.js';

/** A scorer module's source; `defineScorer` is an identity function, so modules may skip it. */
const scorerSource = (name: string) =>
  `{ name: '${name}', version: '1', prepare: () => ({ output }) => ({ value: 1, pass: true, reason: '${name}: ' + output }) }`;

async function loadError(
  files: string[],
  baseDir: string,
  registry = new ScorerRegistry(),
): Promise<UserError> {
  const error: unknown = await loadCustomScorers(files, baseDir, registry).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('loadCustomScorers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'assay-custom-scorers-'));
    const write = (file: string, source: string) => writeFileSync(path.join(dir, file), source);
    write(
      'polite.ts',
      `import { defineScorer } from '${path.resolve('src/scorers/scorer.ts').replaceAll('\\', '/')}';\n` +
        `const polite: { name: string } = defineScorer(${scorerSource('polite')});\nexport default polite;\n`,
    );
    write('pair.mjs', `export default [${scorerSource('first')}, ${scorerSource('second')}];\n`);
    write(
      'named.mjs',
      `export const third = ${scorerSource('third')};\nexport const helper = () => 1;\nexport default third;\n`,
    );
    write('nothing.mjs', 'export const helper = () => 1;\n');
    write('wrong-default.mjs', 'export default { name: "x" };\n');
    write('wrong-item.mjs', `export default [${scorerSource('ok')}, 42];\n`);
    write('clash.mjs', `export default ${scorerSource('contains')};\n`);
    write('negated.mjs', `export default ${scorerSource('not-polite')};\n`);
    write('unversioned.mjs', 'export default { name: "v", prepare() {} };\n');
    write('again.mjs', `export default ${scorerSource('first')};\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers default, list and named exports from TypeScript and JavaScript modules', async () => {
    const registry = new ScorerRegistry();
    const names = await loadCustomScorers(['polite.ts', 'pair.mjs', './named.mjs'], dir, registry);
    expect(names).toEqual(['polite', 'first', 'second', 'third']);
    const score = registry.resolve({ type: 'not-polite' }, WHERE, makeTask()).score(makeInput('hi'));
    expect(score).toEqual({ value: 0, pass: false, reason: 'not: polite: hi' });
    expect(registry.names()).toContain('third');
  });

  it('names the file when it is missing or exports no scorer', async () => {
    expect((await loadError(['gone.ts'], dir)).message).toBe('scorer module not found: gone.ts');
    expect((await loadError(['nothing.mjs'], dir)).message).toBe(
      'scorer module nothing.mjs exports no scorer',
    );
    expect((await loadError(['wrong-default.mjs'], dir)).message).toBe(
      'scorer module wrong-default.mjs: its default export is not a scorer, got {"name":"x"} (object)',
    );
    expect((await loadError(['wrong-item.mjs'], dir)).message).toMatch(
      /wrong-item\.mjs: item 2 of its default export is not a scorer, got 42 \(number\)/,
    );
    expect((await loadError(['unversioned.mjs'], dir)).message).toMatch(
      /^scorer module unversioned\.mjs: scorer "v" needs a non-empty version string/,
    );
    expect((await loadError(['negated.mjs'], dir)).message).toMatch(
      /^scorer module negated\.mjs: scorer name must/,
    );
  });

  it('rejects a duplicate name, registering nothing', async () => {
    const registry = new ScorerRegistry();
    const builtin = await loadError(['pair.mjs', 'clash.mjs'], dir, registry);
    expect(builtin.message).toBe(
      'scorer module clash.mjs: a scorer named "contains" is already defined by a built-in or already registered scorer',
    );
    const twice = await loadError(['pair.mjs', 'again.mjs'], dir, registry);
    expect(twice.message).toBe(
      'scorer module again.mjs: a scorer named "first" is already defined by pair.mjs',
    );
    expect(registry.get('first')).toBeUndefined();
  });
});
