import { normalQuantile } from './describe.js';
import { checkConfidence, checkCount } from './validate.js';

/** A proportion with its confidence interval. */
export interface ProportionInterval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * Wilson score interval for `successes` out of `n`. Unlike the textbook p ± z·√(p(1-p)/n) it stays
 * inside [0, 1] and keeps a sensible width at 0/n and n/n. With n = 0 there is no information:
 * `{ estimate: 0, low: 0, high: 1 }`.
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): ProportionInterval {
  checkCount('successes', successes);
  checkCount('n', n);
  if (successes > n) {
    throw new RangeError(`Expected \`successes\` to be at most \`n\` (${n}), got \`${successes}\``);
  }
  checkConfidence(confidence);
  if (n === 0) return { estimate: 0, low: 0, high: 1 };
  // The lower tail is exact to the last digit; 1 - α/2 would round first.
  const z = -normalQuantile((1 - confidence) / 2);
  const estimate = successes / n;
  const zSquaredOverN = (z * z) / n;
  const denominator = 1 + zSquaredOverN;
  const centre = (estimate + zSquaredOverN / 2) / denominator;
  const half = (z / denominator) * Math.sqrt((estimate * (1 - estimate) + zSquaredOverN / 4) / n);
  return {
    estimate,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}
