import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { buildPriceSnapshot, createPricer } from './price.js';

describe('createPricer', () => {
  it('matches the genai-prices calculation for flat prices, with and without cached input', async () => {
    const pricer = await createPricer('gpt-4o-mini', 'openai', undefined);
    for (const usage of [
      { inputTokens: 1000, outputTokens: 100 },
      { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 400 },
      { inputTokens: 7, outputTokens: 0 },
    ]) {
      const reference = calcPrice(
        {
          input_tokens: usage.inputTokens,
          output_tokens: usage.outputTokens,
          cache_read_tokens: usage.cachedInputTokens,
        },
        'gpt-4o-mini',
        { providerId: 'openai' },
      );
      expect(pricer(usage)).toBeCloseTo(reference!.total_price, 12);
    }
  });

  it('uses the library for tiered prices (long-context tiers)', async () => {
    const pricer = await createPricer('gemini-2.5-pro', 'google', undefined);
    const long = { inputTokens: 300_000, outputTokens: 1000 };
    const reference = calcPrice({ input_tokens: 300_000, output_tokens: 1000 }, 'gemini-2.5-pro', {
      providerId: 'google',
    });
    expect(reference).not.toBeNull();
    expect(pricer(long)).toBeCloseTo(reference!.total_price, 12);
  });

  it('a price override wins; unknown token counts or models give null, never 0', async () => {
    const override = await createPricer('gpt-4o-mini', 'openai', { input_per_mtok: 1, output_per_mtok: 2 });
    expect(override({ inputTokens: 1_000_000, outputTokens: 500_000 })).toBeCloseTo(2, 12);
    expect(override({ outputTokens: 5 })).toBeNull();
    const unknown = await createPricer('no-such-model-xyz', 'openai', undefined);
    expect(unknown({ inputTokens: 10, outputTokens: 10 })).toBeNull();
    const local = await createPricer('llama', undefined, undefined);
    expect(local({ inputTokens: 10, outputTokens: 10 })).toBeNull();
  });
});

describe('prompt-cache writes', () => {
  it('are priced at the cache-write rate, as genai-prices does (Anthropic)', async () => {
    const pricer = await createPricer('claude-3-5-haiku-latest', 'anthropic', undefined);
    const usage = {
      inputTokens: 10_000,
      outputTokens: 500,
      cachedInputTokens: 2000,
      cacheWriteInputTokens: 3000,
    };
    const reference = calcPrice(
      { input_tokens: 10_000, output_tokens: 500, cache_read_tokens: 2000, cache_write_tokens: 3000 },
      'claude-3-5-haiku-latest',
      { providerId: 'anthropic' },
    );
    expect(reference).not.toBeNull();
    expect(pricer(usage)).toBeCloseTo(reference!.total_price, 12);
    const withoutWrites = pricer({ ...usage, cacheWriteInputTokens: 0 });
    expect(pricer(usage)).toBeGreaterThan(withoutWrites!);
  });
});

describe('price memo', () => {
  it('remembers flat prices per library version and prices from the memo exactly as from the library', async () => {
    const { mkdtemp, readFile, writeFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-prices-'));
    try {
      const memoFile = path.join(dir, 'nested', 'prices-memo.json');
      const usage = { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 200 };
      const fresh = await createPricer('gpt-4o-mini', 'openai', undefined, { memoFile });
      const memo = JSON.parse(await readFile(memoFile, 'utf8')) as {
        libVersion: string;
        entries: Record<string, unknown>;
      };
      expect(memo.entries['openai/gpt-4o-mini']).toMatchObject({ input: 0.15, output: 0.6 });
      const remembered = await createPricer('gpt-4o-mini', 'openai', undefined, { memoFile });
      expect(remembered(usage)).toBeCloseTo(fresh(usage)!, 15);
      // Unknown models are remembered as unknown.
      expect((await createPricer('no-such-model-xyz', 'openai', undefined, { memoFile }))(usage)).toBeNull();
      expect(JSON.parse(await readFile(memoFile, 'utf8')).entries['openai/no-such-model-xyz']).toBe(
        'unknown',
      );
      // A memo written by another library version is ignored (and rewritten).
      await writeFile(
        memoFile,
        JSON.stringify({ libVersion: '0.0.0', entries: { 'openai/gpt-4o-mini': { input: 99, output: 99 } } }),
      );
      const rebuilt = await createPricer('gpt-4o-mini', 'openai', undefined, { memoFile });
      expect(rebuilt(usage)).toBeCloseTo(fresh(usage)!, 15);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a model without a cache-read price charges cached tokens as input, as the library does', async () => {
    const pricer = await createPricer('gpt-3.5-turbo', 'openai', undefined);
    const reference = calcPrice(
      { input_tokens: 1000, cache_read_tokens: 500, output_tokens: 10 },
      'gpt-3.5-turbo',
      {
        providerId: 'openai',
      },
    );
    expect(pricer({ inputTokens: 1000, cachedInputTokens: 500, outputTokens: 10 })).toBeCloseTo(
      reference!.total_price,
      12,
    );
  });
});

describe('price snapshot', () => {
  it('lists the providers’ models, and every snapshot price equals what the library computes', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const snapshot = await buildPriceSnapshot();
    const keys = Object.keys(snapshot.entries);
    expect(keys.length).toBeGreaterThan(100);
    expect(snapshot.entries['openai/gpt-4o-mini']).toMatchObject({ input: 0.15, output: 0.6 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-snapshot-'));
    try {
      const snapshotFile = path.join(dir, 'prices-snapshot.json');
      await writeFile(snapshotFile, JSON.stringify(snapshot));
      const usage = { inputTokens: 12_345, outputTokens: 678, cachedInputTokens: 1000 };
      for (const key of keys) {
        const [provider, ...rest] = key.split('/');
        const model = rest.join('/');
        const fromSnapshot = await createPricer(model, provider, undefined, { snapshotFile });
        const fromLibrary = await createPricer(model, provider, undefined, {
          snapshotFile: path.join(dir, 'none.json'),
        });
        const expected = fromLibrary(usage);
        if (expected === null) expect(fromSnapshot(usage)).toBeNull();
        else expect(fromSnapshot(usage)).toBeCloseTo(expected, 12);
      }
      // The snapshot is really read: a name only it knows gets its price.
      const marked = { ...snapshot, entries: { 'openai/only-in-snapshot': { input: 2, output: 8 } } };
      const other = path.join(dir, 'marked.json');
      await writeFile(other, JSON.stringify(marked));
      const pricer = await createPricer('only-in-snapshot', 'openai', undefined, { snapshotFile: other });
      expect(pricer({ inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeCloseTo(10, 12);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is ignored when written for another library version', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-snapshot-'));
    try {
      const snapshotFile = path.join(dir, 'prices-snapshot.json');
      const stale = { libVersion: '0.0.0', entries: { 'openai/gpt-4o-mini': { input: 99, output: 99 } } };
      await writeFile(snapshotFile, JSON.stringify(stale));
      const pricer = await createPricer('gpt-4o-mini', 'openai', undefined, { snapshotFile });
      expect(pricer({ inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(0.15, 12);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
