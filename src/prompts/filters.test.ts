import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { BUILTIN_FILTERS } from './filters.js';
import { loadPromptFile } from './load.js';
import { compilePrompt } from './render.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-filters-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function render(template: string, vars: Record<string, unknown>) {
  await writeFile(path.join(dir, 'p.njk'), template);
  const prompt = await loadPromptFile(path.join(dir, 'p.njk'), dir);
  return compilePrompt(prompt, dir, { ...BUILTIN_FILTERS })(vars, 'task "t"')[0]?.content;
}

describe('built-in template filters', () => {
  it('load parses JSON text, as promptfoo prompts use it; other values pass through', async () => {
    const context = '{"location": "NYC", "units": ["celsius"]}';
    expect(
      await render('{{ (context | load).location }} in {{ (context | load).units[0] }}', { context }),
    ).toBe('NYC in celsius');
    expect(await render('{{ (context | load).location }}', { context: { location: 'Oslo' } })).toBe('Oslo');
  });

  it('load names the text that is not JSON', async () => {
    const error = await render('{{ (context | load).location }}', { context: 'NYC, celsius' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('load: "NYC, celsius" is not JSON (');
  });
});
