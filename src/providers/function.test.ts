import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { createFileProvider } from './function.js';
import type { Provider, ProviderRequest } from './provider.js';
import { createProvider } from './registry.js';
import { testHttp } from './test-helpers.js';

const PROVIDER_MODULE = fileURLToPath(new URL('./provider.ts', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-file-provider-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function module(name: string, source: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
  await writeFile(path.join(dir, name), source);
}

function provider(rest: string): Promise<Provider> {
  return createFileProvider({ rest, options: {}, env: {}, baseDir: dir, http: testHttp });
}

const REQUEST: ProviderRequest = {
  messages: [
    { role: 'system', content: 'sys' },
    { role: 'user', content: 'ping' },
  ],
  config: { temperature: 0 },
  signal: new AbortController().signal,
};

async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('file: provider', () => {
  it('calls the default-exported function of a TypeScript module with the request', async () => {
    await module(
      'providers/upper.ts',
      [
        `import type { ProviderRequest } from ${JSON.stringify(PROVIDER_MODULE)};`,
        'export default async function (request: ProviderRequest): Promise<string> {',
        "  const last: string = request.messages.at(-1)?.content ?? '';",
        "  return last.toUpperCase() + ' t=' + String(request.config.temperature);",
        '}',
        '',
      ].join('\n'),
    );
    const upper = await provider('./providers/upper.ts');
    expect(upper.id).toBe('file:./providers/upper.ts');
    expect(upper.model).toBe('file:./providers/upper.ts');
    expect(await upper.call(REQUEST)).toEqual({ output: 'PING t=0', usage: {} });
  });

  it('calls an exported object with call(), keeping usage, cost and model, and using its id as model', async () => {
    await module(
      'object.ts',
      [
        'export default {',
        "  id: 'my-model',",
        '  count: 0,',
        '  async call(request: { messages: Array<{ content: string }> }) {',
        '    this.count += 1;',
        "    const output = '#' + this.count + ' ' + request.messages.length;",
        "    return { output, usage: { inputTokens: 3, outputTokens: 1 }, costUsd: 0.5, model: 'my-model-v2' };",
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    const object = await provider('object.ts');
    expect(object.model).toBe('my-model');
    expect(await object.call(REQUEST)).toEqual({
      output: '#1 2',
      usage: { inputTokens: 3, outputTokens: 1 },
      costUsd: 0.5,
      model: 'my-model-v2',
    });
    // `this` is the exported object, so stateful providers work.
    expect((await object.call(REQUEST)).output).toBe('#2 2');
  });

  it('loads a CommonJS .js module and an ES .mjs module natively', async () => {
    await module('common.js', 'module.exports = (request) => "cjs:" + request.messages.length;\n');
    await module('esm.mjs', 'export default { call: () => ({ output: "esm" }) };\n');
    expect((await (await provider('common.js')).call(REQUEST)).output).toBe('cjs:2');
    expect(await (await provider('esm.mjs')).call(REQUEST)).toEqual({ output: 'esm', usage: {} });
  });

  it.each([
    ['a number', 'export default 42;'],
    ['an object without call', 'export default { answer: () => "x" };'],
    ['missing', 'export const answer = () => "x";'],
  ])('rejects a module whose default export is %s', async (_what, source) => {
    await module('bad.ts', `${source}\n`);
    const error = await userError(provider('bad.ts'));
    expect(error.message).toBe('bad.ts has no usable default export');
    expect(error.hint).toBe('export default a function (request) => string, or an object with call()');
  });

  it('rejects a missing module, saying where it looked', async () => {
    const error = await userError(provider('./nope.ts'));
    expect(error.message).toBe('provider module not found: ./nope.ts');
    expect(error.hint).toContain(path.join(dir, 'nope.ts'));
  });

  it('reports a module that throws while loading', async () => {
    await module('throws.mjs', 'throw new Error("missing dependency");\n');
    const error = await userError(provider('throws.mjs'));
    expect(error.message).toBe('cannot load provider module throws.mjs: missing dependency');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('rejects an answer that is neither a string nor { output: string }', async () => {
    await module('wrong.ts', 'export default () => ({ text: "no output field" });\n');
    const wrong = await provider('wrong.ts');
    await expect(wrong.call(REQUEST)).rejects.toThrow(
      'file:wrong.ts returned object; return a string or { output: string }',
    );
  });

  it('changes its cache scope when the module source changes', async () => {
    await module('a.mjs', 'export default () => "one";\n');
    const before = (await provider('a.mjs')).cacheScope();
    expect((await provider('a.mjs')).cacheScope()).toBe(before);
    await module('b.mjs', 'export default () => "two";\n');
    expect((await provider('b.mjs')).cacheScope()).not.toBe(before);
    await module('a.mjs', 'export default () => "one, edited";\n');
    expect((await provider('a.mjs')).cacheScope()).not.toBe(before);
  });

  it('is built by the registry from a file: provider id', async () => {
    await module('p.mjs', 'export default () => "via registry";\n');
    const built = await createProvider(
      'file:p.mjs',
      { options: {}, env: {}, baseDir: dir, http: testHttp },
      'target "p"',
    );
    expect((await built.call(REQUEST)).output).toBe('via registry');
  });
});
