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
  return (usage) => {
    if (usage.inputTokens === undefined || usage.outputTokens === undefined) return null;
    const result = calcPrice(
      {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        ...(usage.cachedInputTokens ? { cache_read_tokens: usage.cachedInputTokens } : {}),
      },
      model,
      { providerId: pricingProvider },
    );
    return result ? result.total_price : null;
  };
}
