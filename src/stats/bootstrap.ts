import { Sfc32 } from './random.js';
import { checkConfidence, checkFinite, checkSeed } from './validate.js';

export interface BootstrapOptions {
  /**
   * How many resamples to draw.
   * @default 10000
   */
  resamples?: number;
  /**
   * Seed of the resampling; the same inputs and seed give the same interval.
   * @default 1
   */
  seed?: number | string;
  /**
   * Confidence level of the percentile interval.
   * @default 0.95
   */
  confidence?: number;
}

export interface PairedBootstrapResult {
  /** mean(b[i] - a[i]): positive when b scores higher. */
  delta: number;
  low: number;
  high: number;
  resamples: number;
  n: number;
}

export interface BootstrapMeanResult {
  mean: number;
  low: number;
  high: number;
  n: number;
}

/**
 * Paired bootstrap of the mean difference b - a. Pairs are resampled together (as their
 * differences), which keeps the per-item correlation between the two runs; the interval is the
 * percentile interval of the resampled means. `a[i]` and `b[i]` must score the same item. With no
 * pairs every number is NaN; when every difference is the same the interval is that one value.
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): PairedBootstrapResult {
  if (a.length !== b.length) {
    throw new RangeError(
      `Expected paired scores of equal length, got ${a.length} in \`a\` and ${b.length} in \`b\``,
    );
  }
  const settings = resolveOptions(options);
  checkFinite('a', a);
  checkFinite('b', b);
  const differences = new Float64Array(a.length);
  for (let index = 0; index < a.length; index++) differences[index] = b[index]! - a[index]!;
  const { estimate, low, high } = percentileInterval(differences, settings);
  return { delta: estimate, low, high, resamples: settings.resamples, n: a.length };
}

/** Bootstrap percentile interval of a mean, for scores far from normal or bounded at 0 and 1. */
export function bootstrapMeanInterval(
  values: readonly number[],
  options: BootstrapOptions = {},
): BootstrapMeanResult {
  const settings = resolveOptions(options);
  checkFinite('values', values);
  const { estimate, low, high } = percentileInterval(Float64Array.from(values), settings);
  return { mean: estimate, low, high, n: values.length };
}

type Settings = Required<BootstrapOptions>;

function resolveOptions(options: BootstrapOptions): Settings {
  const { resamples = 10_000, seed = 1, confidence = 0.95 } = options;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(
      `Expected \`resamples\` to be a whole number from 1 up, got \`${String(resamples)}\` (${typeof resamples})`,
    );
  }
  checkSeed(seed);
  checkConfidence(confidence);
  return { resamples, seed, confidence };
}

function percentileInterval(
  values: Float64Array,
  { resamples, seed, confidence }: Settings,
): { estimate: number; low: number; high: number } {
  const n = values.length;
  if (n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  let sum = 0;
  let smallest = values[0]!;
  let largest = smallest;
  for (const value of values) {
    sum += value;
    if (value < smallest) smallest = value;
    if (value > largest) largest = value;
  }
  // No spread, nothing to resample (and no rounding noise from summing equal values).
  if (smallest === largest) return { estimate: smallest, low: smallest, high: smallest };

  // The hot loop: resamples × n draws, so no arrays per resample and no closure call per draw.
  // floor(word · n / 2^32) picks the same index as floor(createRng(seed)() · n).
  const generator = new Sfc32(seed);
  const scale = n / 2 ** 32;
  const means = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample++) {
    let total = 0;
    for (let draw = 0; draw < n; draw++) total += values[Math.floor(generator.nextUint32() * scale)]!;
    means[resample] = total / n;
  }
  means.sort();
  const alpha = 1 - confidence;
  return {
    estimate: sum / n,
    low: quantileOfSorted(means, alpha / 2),
    high: quantileOfSorted(means, 1 - alpha / 2),
  };
}

/** Linear interpolation between order statistics (Hyndman & Fan type 7, as in R and NumPy). */
function quantileOfSorted(sorted: Float64Array, p: number): number {
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const lower = sorted[below]!;
  if (below + 1 >= sorted.length) return lower;
  return lower + (position - below) * (sorted[below + 1]! - lower);
}
