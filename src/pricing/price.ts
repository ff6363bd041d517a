import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PriceOverride, Usage } from '../types.js';

/** Computes the USD cost of one call from its usage; null when the price or the token counts are unknown. */
export type Pricer = (usage: Usage) => number | null;

/** Per-million-token prices of a model whose prices do not depend on volume (most models). */
interface FlatPrices {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

function fromOverride(price: PriceOverride): Pricer {
  return flatPricer({ input: price.input_per_mtok, output: price.output_per_mtok });
}

/** Cache reads and writes without a price of their own cost what input costs (as genai-prices counts them). */
function flatPricer(prices: FlatPrices): Pricer {
  return (usage) => {
    if (usage.inputTokens === undefined || usage.outputTokens === undefined) return null;
    const cached = usage.cachedInputTokens ?? 0;
    const written = usage.cacheWriteInputTokens ?? 0;
    return (
      ((usage.inputTokens - cached - written) * prices.input +
        cached * (prices.cacheRead ?? prices.input) +
        written * (prices.cacheWrite ?? prices.input) +
        usage.outputTokens * prices.output) /
      1_000_000
    );
  };
}

/** The flat prices of a genai-prices model price, or null when any of them is tiered. */
function flatPricesOf(price: Record<string, unknown>): FlatPrices | null {
  const keys = ['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok'] as const;
  if (keys.some((key) => price[key] !== undefined && typeof price[key] !== 'number')) return null;
  if (typeof price.input_mtok !== 'number' || typeof price.output_mtok !== 'number') return null;
  return {
    input: price.input_mtok,
    output: price.output_mtok,
    ...(typeof price.cache_read_mtok === 'number' ? { cacheRead: price.cache_read_mtok } : {}),
    ...(typeof price.cache_write_mtok === 'number' ? { cacheWrite: price.cache_write_mtok } : {}),
  };
}

type Memo = { libVersion: string; entries: Record<string, FlatPrices | 'unknown'> };

function libVersion(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@pydantic/genai-prices');
  // The package's own package.json sits above its dist/ folder.
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function readMemo(file: string, version: string): Memo {
  try {
    const memo = JSON.parse(readFileSync(file, 'utf8')) as Memo;
    if (memo.libVersion === version && memo.entries && typeof memo.entries === 'object') return memo;
  } catch {
    // Missing or unreadable: start a new one.
  }
  return { libVersion: version, entries: {} };
}

function writeMemo(file: string, memo: Memo): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(memo));
  } catch {
    // A memo that cannot be written only costs the next run the library's load time.
  }
}

/**
 * A pricer for a target: its `price` override when configured, otherwise the bundled
 * @pydantic/genai-prices registry (offline data shipped in the package), otherwise unknown.
 * With `memoFile`, the flat prices found for a model are remembered (per library version), so
 * later runs need not load the ~1 MB price registry at start-up; tiered models always use it.
 */
export async function createPricer(
  model: string,
  pricingProvider: string | undefined,
  override: PriceOverride | undefined,
  options: { memoFile?: string } = {},
): Promise<Pricer> {
  if (override) return fromOverride(override);
  if (!pricingProvider) return () => null;
  const key = `${pricingProvider}/${model}`;
  const memo = options.memoFile ? readMemo(options.memoFile, libVersion()) : undefined;
  const remembered = memo?.entries[key];
  if (remembered === 'unknown') return () => null;
  if (remembered) return flatPricer(remembered);

  const { calcPrice } = await import('@pydantic/genai-prices');
  const probe = calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId: pricingProvider });
  const flat = probe ? flatPricesOf(probe.model_price as Record<string, unknown>) : null;
  if (memo && options.memoFile && (!probe || flat)) {
    memo.entries[key] = flat ?? 'unknown';
    writeMemo(options.memoFile, memo);
  }
  if (!probe) return () => null;
  if (flat) return flatPricer(flat);
  // Tiered (long-context) prices: the library decides per call.
  return (usage) => {
    if (usage.inputTokens === undefined || usage.outputTokens === undefined) return null;
    const result = calcPrice(
      {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        ...(usage.cachedInputTokens ? { cache_read_tokens: usage.cachedInputTokens } : {}),
        ...(usage.cacheWriteInputTokens ? { cache_write_tokens: usage.cacheWriteInputTokens } : {}),
      },
      model,
      { providerId: pricingProvider },
    );
    return result ? result.total_price : null;
  };
}
