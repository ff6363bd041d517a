import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import type { PriceOverride, Usage } from '../types.js';
import { importExternal } from '../util/import-external.js';

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

let installedVersion: string | undefined;

/** The installed genai-prices version (read once per process). */
function libVersion(): string {
  if (installedVersion !== undefined) return installedVersion;
  const require = createRequire(import.meta.url);
  const main = require.resolve('@pydantic/genai-prices');
  // The package's own package.json sits above its dist/ folder.
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  installedVersion = manifest.version;
  return installedVersion;
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
    // One level (the state folder beside the store, whose parent exists): Node 20's recursive
    // mkdir spins forever on some paths.
    if (!existsSync(path.dirname(file))) mkdirSync(path.dirname(file));
    writeFileSync(file, JSON.stringify(memo));
  } catch {
    // A memo that cannot be written only costs the next run the library's load time.
  }
}

/**
 * Flat prices of the models the library lists for Assay's pricing providers, written by the build
 * (scripts/price-snapshot.js) next to this module: a first run in a project (every CI run) then
 * needs neither the memo nor the ~1 MB library. Ignored when the installed library's version
 * differs from the one it was computed with; models it lacks fall through to the library.
 */
const SNAPSHOT_FILE = fileURLToPath(new URL('./prices-snapshot.json', import.meta.url));

/** The providers whose models the snapshot lists (the `pricingProvider` of Assay's adapters). */
export const SNAPSHOT_PROVIDERS = ['openai', 'anthropic', 'google', 'openrouter'] as const;

/** Snapshots read, by file: one in a build (tests point at others). */
const snapshots = new LRUCache<string, Memo['entries']>({ max: 4 });

function readSnapshot(file: string, version: string): Memo['entries'] {
  let entries = snapshots.get(file);
  if (!entries) {
    entries = {};
    try {
      const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Memo;
      if (snapshot.libVersion === version && snapshot.entries && typeof snapshot.entries === 'object') {
        entries = snapshot.entries;
      }
    } catch {
      // No snapshot (tests run from src/, or a build without it): the library answers.
    }
    snapshots.set(file, entries);
  }
  return entries;
}

/**
 * The snapshot's content: for every model the library lists under `providers` (its id and every
 * exact name it matches), what `createPricer` would find — flat prices or unknown. Tiered and
 * dated prices are left out (the library prices them per call, or as of today).
 */
export async function buildPriceSnapshot(providers: readonly string[] = SNAPSHOT_PROVIDERS): Promise<Memo> {
  const { calcPrice, findProvider } =
    await importExternal<typeof import('@pydantic/genai-prices')>('@pydantic/genai-prices');
  const entries: Memo['entries'] = {};
  for (const providerId of providers) {
    const provider = findProvider({ providerId });
    for (const model of provider?.models ?? []) {
      for (const name of new Set([model.id, ...exactNames(model.match)])) {
        const probe = calcPrice({ input_tokens: 1, output_tokens: 1 }, name, { providerId });
        const flat = probe ? flatPricesOf(probe.model_price as Record<string, unknown>) : null;
        if (!probe) entries[`${providerId}/${name}`] = 'unknown';
        // Prices that change on a date are left to the library, which knows today's date.
        else if (flat && !Array.isArray(probe.model.prices)) entries[`${providerId}/${name}`] = flat;
      }
    }
  }
  return { libVersion: libVersion(), entries };
}

/** The `equals` names in a genai-prices match clause. */
function exactNames(match: unknown): string[] {
  if (!match || typeof match !== 'object') return [];
  const clause = match as { equals?: unknown; or?: unknown };
  if (typeof clause.equals === 'string') return [clause.equals];
  // An `and` clause (or any other) names no single model.
  return Array.isArray(clause.or) ? clause.or.flatMap(exactNames) : [];
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
  options: { memoFile?: string; snapshotFile?: string } = {},
): Promise<Pricer> {
  if (override) return fromOverride(override);
  if (!pricingProvider) return () => null;
  const key = `${pricingProvider}/${model}`;
  const version = libVersion();
  const memo = options.memoFile ? readMemo(options.memoFile, version) : undefined;
  const remembered = memo?.entries[key] ?? readSnapshot(options.snapshotFile ?? SNAPSHOT_FILE, version)[key];
  if (remembered === 'unknown') return () => null;
  if (remembered) return flatPricer(remembered);

  const { calcPrice } =
    await importExternal<typeof import('@pydantic/genai-prices')>('@pydantic/genai-prices');
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
