import type { Scorer } from './scorer.js';
import { rejectExtras } from './scorer-options.js';
import { requireThreshold } from './spec.js';

/** Passes when the call took at most `threshold` milliseconds (value 1, else 0). */
export const latencyScorer: Scorer = {
  name: 'latency',
  version: '1',
  prepare(spec, where) {
    rejectExtras('latency', spec, where, true);
    const limit = requireThreshold('latency', spec, where, {
      unit: 'milliseconds',
      allowZero: false,
      example: 5000,
    });
    return ({ latencyMs }) => {
      const shown = `latency ${Math.round(latencyMs)} ms`;
      return latencyMs <= limit
        ? { value: 1, pass: true, reason: `${shown} <= ${limit} ms` }
        : { value: 0, pass: false, reason: `${shown} > ${limit} ms` };
    };
  },
};
