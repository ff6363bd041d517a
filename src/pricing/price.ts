import type { PriceOverride, Usage } from '../types.js';

/** Computes the USD cost of one call from its usage; null when the price or the token counts are unknown. */
export type Pricer = (usage: Usage) => number | null;

function fromOverride(price: PriceOverride): Pricer {
  return (usage) => {
    if (usage.inputTokens === undefined || usage.outputTokens === undefined) return null;
    return (
      (usage.inputTokens * price.input_per_mtok + usage.outputTokens * price.output_per_mtok) / 1_000_000
    );
  };
}

/**
 * A pricer for a target: its `price` override when configured, otherwise the bundled
 * @pydantic/genai-prices registry (offline data shipped in the package), otherwise unknown.
 */
export async function createPricer(
  model: string,
  pricingProvider: string | undefined,
  override: PriceOverride | undefined,
): Promise<Pricer> {
  if (override) return fromOverride(override);
  if (!pricingProvider) return () => null;
  const { calcPrice } = await import('@pydantic/genai-prices');
  const probe = calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId: pricingProvider });
  if (!probe) return () => null;
  const prices = probe.model_price;
  const flat = (value: unknown): value is number => typeof value === 'number';
  return (usage) => {
    if (usage.inputTokens === undefined || usage.outputTokens === undefined) return null;
    const cached = usage.cachedInputTokens ?? 0;
    const written = usage.cacheWriteInputTokens ?? 0;
    // Flat per-token prices (most models): compute directly; the library's matching costs ~40 µs a call.
    if (
      flat(prices.input_mtok) &&
      flat(prices.output_mtok) &&
      (cached === 0 || flat(prices.cache_read_mtok)) &&
      (written === 0 || flat(prices.cache_write_mtok))
    ) {
      const readPrice = cached === 0 ? 0 : (prices.cache_read_mtok as number);
      const writePrice = written === 0 ? 0 : (prices.cache_write_mtok as number);
      return (
        ((usage.inputTokens - cached - written) * prices.input_mtok +
          cached * readPrice +
          written * writePrice +
          usage.outputTokens * prices.output_mtok) /
        1_000_000
      );
    }
    const result = calcPrice(
      {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        ...(cached ? { cache_read_tokens: cached } : {}),
        ...(written ? { cache_write_tokens: written } : {}),
      },
      model,
      { providerId: pricingProvider },
    );
    return result ? result.total_price : null;
  };
}
