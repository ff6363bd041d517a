import type { Scorer } from './scorer.js';
import { rejectExtras } from './scorer-options.js';
import { requireThreshold } from './spec.js';

/**
 * Passes when the call cost at most `threshold` US dollars (value 1, else 0). A threshold of 0
 * means "must be free" (local models). When the cost is unknown (`null`: no price for the model)
 * the assertion fails with the reason `cost unknown`: a budget that cannot be checked is not met.
 * Add a `price` to the target to make the cost known.
 */
export const costScorer: Scorer = {
  name: 'cost',
  version: '1',
  prepare(spec, where) {
    rejectExtras('cost', spec, where, true);
    const limit = requireThreshold('cost', spec, where, {
      unit: 'US dollars',
      allowZero: true,
      example: 0.01,
    });
    const shownLimit = formatUsd(limit);
    return ({ costUsd }) => {
      if (costUsd === null)
        return { value: 0, pass: false, reason: 'cost unknown (no price for this model)' };
      const shown = `cost ${formatUsd(costUsd)}`;
      return costUsd <= limit
        ? { value: 1, pass: true, reason: `${shown} <= ${shownLimit}` }
        : { value: 0, pass: false, reason: `${shown} > ${shownLimit}` };
    };
  },
};

/** `$0.0123`: four significant digits are plenty to tell a cost from its limit. */
export function formatUsd(amount: number): string {
  return `$${Number(amount.toPrecision(4))}`;
}
