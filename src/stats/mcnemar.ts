import { logBinomialMass } from './special.js';
import { checkCount } from './validate.js';

export interface McNemarResult {
  /** Two-sided exact p-value; 1 when there are no discordant pairs. */
  pValue: number;
  /** Pairs whose verdict changed: regressions + improvements. */
  discordant: number;
}

/**
 * Exact two-sided McNemar test on paired pass/fail verdicts. Only the discordant pairs count: under
 * "no difference" each is equally likely to be a regression or an improvement, so with
 * n = regressions + improvements, p = min(1, 2·P(X <= min)) for X ~ Binomial(n, 1/2).
 */
export function mcnemarExact(regressions: number, improvements: number): McNemarResult {
  checkCount('regressions', regressions);
  checkCount('improvements', improvements);
  const discordant = regressions + improvements;
  const smaller = Math.min(regressions, improvements);
  // P(X <= n/2) >= 1/2 already, so the doubled tail reaches 1.
  if (2 * smaller >= discordant) return { pValue: 1, discordant };
  return { pValue: Math.min(1, 2 * lowerTailOfFairCoin(smaller, discordant)), discordant };
}

/**
 * P(X <= k) for X ~ Binomial(n, 1/2) with k < n/2. Masses grow all the way up to k, so the sum
 * starts from the largest (taken in log space, as 2^-n underflows beyond n = 1074) and walks down
 * by the ratio P(X = j - 1) / P(X = j) = j / (n - j + 1) until the terms stop mattering.
 */
function lowerTailOfFairCoin(k: number, n: number): number {
  let sum = 1;
  let term = 1;
  for (let j = k; j >= 1; j--) {
    term *= j / (n - j + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return Math.exp(logBinomialMass(k, n, 0.5)) * sum;
}
