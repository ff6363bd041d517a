/** Special functions behind the distributions: log-gamma, the incomplete beta, binomial masses. */

const LOG_TWO_PI = Math.log(2 * Math.PI);

// Lanczos approximation, g = 7 with nine terms: about 15 significant digits for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  // Reflection keeps the series on the side where it is accurate.
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = LANCZOS[0]!;
  for (let index = 1; index < LANCZOS.length; index++) sum += LANCZOS[index]! / (shifted + index);
  const t = shifted + LANCZOS_G + 0.5;
  return 0.5 * LOG_TWO_PI + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The regularised incomplete beta I_x(a, b). `y` must be 1 - x, passed separately so a caller
 * that knows it exactly (such as t²/(ν + t²)) loses no digits to the subtraction.
 */
export function regularizedBeta(x: number, y: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  // The continued fraction converges quickly only below the mean; use the mirror above it.
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(y, x, b, a);
  const logFront = a * Math.log(x) + b * Math.log(y) - logBeta(a, b);
  return (Math.exp(logFront) * betaFraction(x, a, b)) / a;
}

/** ln B(a, b) for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

const TINY = 1e-300;

/** The continued fraction of I_x(a, b), evaluated by the modified Lentz method. */
function betaFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = nonZero(1 - ((a + b) * x) / (a + 1));
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 100_000; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / nonZero(1 + even * d);
    c = nonZero(1 + even / c);
    result *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / nonZero(1 + odd * d);
    c = nonZero(1 + odd / c);
    const factor = d * c;
    result *= factor;
    if (Math.abs(factor - 1) < 1e-15) break;
  }
  return result;
}

function nonZero(value: number): number {
  return Math.abs(value) < TINY ? TINY : value;
}

/**
 * ln P(X = k) for X ~ Binomial(n, p), for whole numbers 0 <= k <= n and 0 < p < 1. Uses Loader's
 * saddle-point form (Stirling remainders plus a deviance term) rather than differences of
 * log-factorials, which lose about log10(n) digits to cancellation.
 */
export function logBinomialMass(k: number, n: number, p: number): number {
  const q = 1 - p;
  if (k === 0) return n * Math.log(q);
  if (k === n) return n * Math.log(p);
  const main =
    stirlingRemainder(n) -
    stirlingRemainder(k) -
    stirlingRemainder(n - k) -
    deviance(k, n * p) -
    deviance(n - k, n * q);
  return main - 0.5 * (LOG_TWO_PI + Math.log(k) + Math.log1p(-k / n));
}

/** ln(n!) - ln(√(2π n) (n/e)^n) for a whole number n >= 1. */
function stirlingRemainder(n: number): number {
  if (n <= 15) {
    // n! is exact in a double here, so only the final subtraction rounds.
    let factorial = 1;
    for (let factor = 2; factor <= n; factor++) factorial *= factor;
    return Math.log(factorial) - (n + 0.5) * Math.log(n) + n - 0.5 * LOG_TWO_PI;
  }
  // Asymptotic series 1/(12n) - 1/(360n³) + 1/(1260n⁵) - 1/(1680n⁷) + 1/(1188n⁹); the next term is
  // below 1e-16 for n >= 16.
  const square = n * n;
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / square) / square) / square) / square) / n;
}

/** x ln(x / m) + m - x, computed without cancellation when x is close to m. */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) >= 0.1 * (x + m)) return x * Math.log(x / m) + m - x;
  // With v = (x - m)/(x + m): x ln(x/m) = 2x(v + v³/3 + v⁵/5 + …), and 2xv + m - x = (x - m)v.
  const v = (x - m) / (x + m);
  const vSquared = v * v;
  let sum = (x - m) * v;
  let term = 2 * x * v;
  for (let j = 1; j < 1000; j++) {
    term *= vSquared;
    const next = sum + term / (2 * j + 1);
    if (next === sum) break;
    sum = next;
  }
  return sum;
}
