import { logBeta, logGamma, regularizedBeta } from './special.js';
import { checkConfidence, checkProbability } from './validate.js';

/** A mean with its t-based confidence interval. */
export interface MeanInterval {
  mean: number;
  /** NaN when n < 2: one value says nothing about spread. */
  low: number;
  high: number;
  /** Standard error of the mean; NaN when n < 2. */
  se: number;
  n: number;
}

/** Arithmetic mean; NaN for no values. Non-finite values propagate. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Unbiased sample variance (divides by n - 1); NaN when n < 2. */
export function sampleVariance(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const centre = mean(values);
  let squares = 0;
  let residual = 0;
  for (const value of values) {
    const deviation = value - centre;
    squares += deviation * deviation;
    residual += deviation;
  }
  // The deviations sum to zero in exact arithmetic; what is left corrects the rounding of `centre`.
  return Math.max(0, (squares - (residual * residual) / n) / (n - 1));
}

/** Standard error of the mean, sample sd / √n; NaN when n < 2. */
export function standardError(values: readonly number[]): number {
  return Math.sqrt(sampleVariance(values) / values.length);
}

/**
 * Mean with a Student-t confidence interval: mean ± t(1 - α/2, n - 1) · se. Bounds are NaN when
 * n < 2; they equal the mean when every value is the same.
 */
export function meanInterval(values: readonly number[], confidence = 0.95): MeanInterval {
  checkConfidence(confidence);
  const n = values.length;
  const centre = mean(values);
  const se = standardError(values);
  if (n < 2) return { mean: centre, low: Number.NaN, high: Number.NaN, se, n };
  const half = -tQuantile((1 - confidence) / 2, n - 1) * se;
  return { mean: centre, low: centre - half, high: centre + half, se, n };
}

// Wichura (1988), algorithm AS 241 (PPND16): rational approximations good to about 1e-16.
const CENTRAL_TOP = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const CENTRAL_BOTTOM = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854,
];
const NEAR_TOP = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 7.745450142783414e-4,
];
const NEAR_BOTTOM = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  5.475938084995345e-4, 1.0507500716444169e-9,
];
const FAR_TOP = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
];
const FAR_BOTTOM = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 7.868691311456133e-4, 1.8463183175100548e-5,
  1.421511758316446e-7, 2.0442631033899397e-15,
];

/** Inverse of the standard normal CDF (Wichura's AS 241); ±Infinity at 0 and 1. */
export function normalQuantile(p: number): number {
  checkProbability(p);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_TOP, r)) / polynomial(CENTRAL_BOTTOM, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = polynomial(NEAR_TOP, r) / polynomial(NEAR_BOTTOM, r);
  } else {
    r -= 5;
    value = polynomial(FAR_TOP, r) / polynomial(FAR_BOTTOM, r);
  }
  return q < 0 ? -value : value;
}

function polynomial(coefficients: readonly number[], x: number): number {
  let result = 0;
  for (let index = coefficients.length - 1; index >= 0; index--) result = result * x + coefficients[index]!;
  return result;
}

/**
 * Inverse of Student's t CDF with `df` > 0 degrees of freedom (need not be whole). Closed forms for
 * df 1 and 2, a Cornish-Fisher expansion beyond 10,000, otherwise Newton's method on the
 * incomplete-beta tail kept inside a bracket. Relative error about 1e-11 or better.
 */
export function tQuantile(p: number, df: number): number {
  checkProbability(p);
  if (typeof df !== 'number' || !(df > 0)) {
    throw new RangeError(`Expected \`df\` to be a number above 0, got \`${String(df)}\` (${typeof df})`);
  }
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (df === Number.POSITIVE_INFINITY) return normalQuantile(p);
  const t = upperTailQuantile(Math.min(p, 1 - p), df);
  return p < 0.5 ? -t : t;
}

/** The t > 0 whose upper tail probability is `tail` (0 < tail < 0.5). */
function upperTailQuantile(tail: number, df: number): number {
  if (df === 1) return 1 / Math.tan(Math.PI * tail);
  if (df === 2) return (1 - 2 * tail) / Math.sqrt(2 * tail * (1 - tail));
  const guess = cornishFisher(-normalQuantile(tail), df);
  if (df > 10_000) return guess;
  // Far out the tail is (df/t²)^(df/2) / (df B(df/2, 1/2)) to within df/t² relative, and t² may
  // overflow, so invert that power law directly.
  const logFar = (0.5 * df * Math.log(df) - Math.log(df * tail) - logBeta(df / 2, 0.5)) / df;
  if (logFar > Math.log(1e20)) return Math.exp(logFar);

  // Newton on ln(tail): the tail falls like a power of t, so steps in log space stay well scaled.
  const target = Math.log(tail);
  let low = 0;
  let high = Number.POSITIVE_INFINITY;
  let t = guess > 0 ? guess : 1;
  for (let iteration = 0; iteration < 200; iteration++) {
    const current = tUpperTail(t, df);
    if (current > tail) low = t;
    else if (current < tail) high = t;
    else return t;
    let next = t + ((Math.log(current) - target) * current) / tDensity(t, df);
    if (!(next > low && next < high)) next = Number.isFinite(high) ? (low + high) / 2 : 2 * t;
    if (Math.abs(next - t) <= 1e-13 * next) return next;
    t = next;
  }
  return t;
}

/** Abramowitz & Stegun 26.7.5: t from the normal quantile z, in powers of 1/df. */
function cornishFisher(z: number, df: number): number {
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

/** P(T > t) for t >= 0. */
function tUpperTail(t: number, df: number): number {
  const square = t * t;
  return 0.5 * regularizedBeta(df / (df + square), square / (df + square), df / 2, 0.5);
}

function tDensity(t: number, df: number): number {
  const logNormaliser = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logNormaliser - ((df + 1) / 2) * Math.log1p((t * t) / df));
}
