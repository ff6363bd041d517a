import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import type { LoadedPrompt } from '../prompts/load.js';
import { type AssayConfig, configSchema } from './schema.js';
import { formatFieldPath } from './source.js';
import { resolveGrader, resolveTargets } from './targets.js';

const locate = (fieldPath: ReadonlyArray<PropertyKey>) => `assay.yaml(${formatFieldPath(fieldPath)})`;

function prompt(name: string, version = `v-${name}`): LoadedPrompt {
  return {
    name,
    path: `prompts/${name}.njk`,
    kind: 'text',
    source: `{{ q }} ${name}`,
    version,
    messages: [{ role: 'user', content: `{{ q }} ${name}` }],
  };
}

function resolve(targets: AssayConfig['targets'], prompts = [prompt('answer')], defaults = {}) {
  const config = configSchema.parse({ prompts: ['x'], tasks: [{ vars: {} }], targets, defaults });
  return resolveTargets(config, prompts, locate);
}

function resolveError(targets: AssayConfig['targets'], prompts = [prompt('answer')]): UserError {
  try {
    resolve(targets, prompts);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected resolveTargets to fail');
}

describe('resolveTargets', () => {
  it('expands a target into one per prompt, named label/prompt', () => {
    const targets = resolve(
      ['echo', { id: 'echo', label: 'one', prompts: ['tutor'] }],
      [prompt('answer'), prompt('tutor')],
    );
    expect(targets.map((target) => [target.name, target.prompt.name])).toEqual([
      ['echo/answer', 'answer'],
      ['echo/tutor', 'tutor'],
      ['one/tutor', 'tutor'],
    ]);
  });

  it('copies provider options, price and generation config, and never a key value', () => {
    const [target] = resolve([
      {
        id: 'openai-compatible:m',
        base_url: 'http://127.0.0.1:1/v1',
        api_key_env: 'MY_KEY',
        headers: { 'x-team': 'evals' },
        price: { input_per_mtok: 1, output_per_mtok: 2 },
        config: { temperature: 0.2 },
      },
    ]);
    expect(target).toMatchObject({
      name: 'openai-compatible:m',
      providerId: 'openai-compatible:m',
      config: { temperature: 0.2 },
      options: { base_url: 'http://127.0.0.1:1/v1', api_key_env: 'MY_KEY', headers: { 'x-team': 'evals' } },
      price: { input_per_mtok: 1, output_per_mtok: 2 },
    });
    expect(resolve(['echo'])[0]?.options).toEqual({});
    expect(resolve(['echo'])[0]).not.toHaveProperty('price');
  });

  it('takes the timeout from the target, else from defaults', () => {
    const targets = resolve(
      ['echo', { id: 'echo', label: 'slow', timeout: '2m' }, { id: 'echo', label: 'n', timeout: 250 }],
      undefined,
      {
        timeout: '45s',
      },
    );
    expect(targets.map((target) => target.timeoutMs)).toEqual([45_000, 120_000, 250]);
  });

  it('gives equal targets equal versions and changes the version with what affects answers', () => {
    const base = { id: 'openai-compatible:m', base_url: 'http://a/v1', config: { temperature: 0 } };
    const version = (target: object, prompts = [prompt('answer')]) =>
      resolve([target as AssayConfig['targets'][number]], prompts)[0]!.version;
    const reference = version(base);
    expect(version({ ...base })).toBe(reference);
    // The label is a display name: renaming keeps the version (and so history comparable).
    expect(version({ ...base, label: 'renamed' })).toBe(reference);
    expect(version({ ...base, config: { temperature: 1 } })).not.toBe(reference);
    expect(version({ ...base, base_url: 'http://b/v1' })).not.toBe(reference);
    expect(version({ ...base, id: 'openai-compatible:other' })).not.toBe(reference);
    expect(version({ ...base, price: { input_per_mtok: 1, output_per_mtok: 1 } })).not.toBe(reference);
    expect(version({ ...base, headers: { 'x-route': 'blue' } })).not.toBe(reference);
    expect(version(base, [prompt('answer', 'v-changed')])).not.toBe(reference);
  });

  it('keeps secret header values out of the version', () => {
    const withHeader = (value: string) =>
      resolve([{ id: 'echo', headers: { Authorization: `Bearer ${value}`, 'X-Api-Key': value } }])[0]!
        .version;
    expect(withHeader('sk-one')).toBe(withHeader('sk-two'));
    expect(withHeader('sk-one')).not.toBe(resolve(['echo'])[0]!.version);
  });

  it('rejects an unknown provider at the target id', () => {
    const error = resolveError([{ id: 'nope:model', label: 'x' }]);
    expect(error.message).toBe('unknown provider "nope" in "nope:model"');
    expect(error.location).toBe('assay.yaml(targets[0].id)');
  });

  it('rejects a target naming an unknown prompt, listing the known prompts', () => {
    const error = resolveError([{ id: 'echo', prompts: ['answr'] }], [prompt('answer'), prompt('tutor')]);
    expect(error.message).toBe('target "echo" names unknown prompt "answr"');
    expect(error.location).toBe('assay.yaml(targets[0])');
    expect(error.hint).toBe('known prompts: answer, tutor');
  });

  it('rejects two targets that end up with the same name', () => {
    const error = resolveError([
      'echo',
      { id: 'openai-compatible:m', label: 'echo', base_url: 'http://a/v1' },
    ]);
    expect(error.message).toBe('two targets are named "echo" (also at assay.yaml(targets[0]))');
    expect(error.location).toBe('assay.yaml(targets[1])');
  });
});

describe('resolveGrader', () => {
  const config = (extra: Record<string, unknown>) =>
    configSchema.parse({
      prompts: ['x'],
      tasks: [{ vars: {} }],
      targets: ['echo', { id: 'openai:gpt-4o', label: 'big', config: { temperature: 0.7 } }],
      ...extra,
    });
  const WHERE = 'tasks.yaml: task "t" assertion 1';

  it("uses the assertion's grader, else the config's, at temperature 0 unless configured", () => {
    const byId = resolveGrader(config({ grader: 'openai:gpt-4o-mini' }), undefined, WHERE, locate);
    expect(byId).toMatchObject({ name: 'judge:openai:gpt-4o-mini', providerId: 'openai:gpt-4o-mini' });
    expect(byId.config.temperature).toBe(0);
    const byLabel = resolveGrader(config({ grader: 'openai:gpt-4o-mini' }), 'big', WHERE, locate);
    expect(byLabel).toMatchObject({ name: 'judge:big', providerId: 'openai:gpt-4o' });
    expect(byLabel.config.temperature).toBe(0.7); // a configured target keeps its own settings
    const inline = resolveGrader(
      config({ grader: { id: 'openai:gpt-4o-mini', label: 'strict', config: { max_tokens: 50 } } }),
      undefined,
      WHERE,
      locate,
    );
    expect(inline).toMatchObject({ name: 'judge:strict', config: { max_tokens: 50, temperature: 0 } });
  });

  it('versions graders by what they are, so a changed judge changes the fingerprint', () => {
    const a = resolveGrader(config({ grader: 'openai:gpt-4o-mini' }), undefined, WHERE, locate);
    const b = resolveGrader(config({ grader: 'openai:gpt-4o' }), undefined, WHERE, locate);
    expect(a.version).not.toBe(b.version);
  });

  it('names the assertion when there is no grader, and the bad value when it is neither label nor id', () => {
    let error: unknown;
    try {
      resolveGrader(config({}), undefined, WHERE, locate);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).location).toBe(WHERE);
    expect((error as UserError).hint).toMatch(/grader:/);

    try {
      resolveGrader(config({}), 'nonsense-judge', WHERE, locate);
    } catch (caught) {
      error = caught;
    }
    expect((error as UserError).message).toMatch(
      /grader "nonsense-judge" is neither a target label nor a provider id/,
    );
    expect((error as UserError).hint).toMatch(/echo, big/);
  });
});
