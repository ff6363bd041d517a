import { checkCount, checkSeed } from './validate.js';

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * A deterministic uniform [0, 1) generator (sfc32, seeded from a 32-bit hash of the seed's text).
 * Numbers are hashed as `String(seed)`, so `createRng(42)` and `createRng('42')` give the same
 * stream whether the seed came from a flag or from a config file.
 */
export function createRng(seed: number | string): Rng {
  const generator = new Sfc32(seed);
  return () => generator.nextUint32() / 2 ** 32;
}

/**
 * Chris Doty-Humphrey's sfc32 ("small fast counting"). Not re-exported from the index: it is here
 * so the bootstrap's hot loop draws 32-bit words without a closure call per number.
 */
export class Sfc32 {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number | string) {
    checkSeed(seed);
    // A Weyl sequence through a 32-bit finaliser fills the four words from the one hash.
    let weyl = hashText(String(seed));
    const nextWord = (): number => {
      weyl = (weyl + 0x9e3779b9) | 0;
      return finalise(weyl);
    };
    this.#a = nextWord();
    this.#b = nextWord();
    this.#c = nextWord();
    this.#d = nextWord();
    // The first outputs still echo the seed words; discarding them is customary for sfc32.
    for (let round = 0; round < 12; round++) this.nextUint32();
  }

  /** A uniform whole number in 0..2^32-1. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (((this.#c << 21) | (this.#c >>> 11)) + t) | 0;
    return t >>> 0;
  }
}

/**
 * `k` distinct indices drawn uniformly from 0..n-1, in ascending order (Floyd's algorithm: `k`
 * draws, whatever the size of `n`).
 */
export function sampleIndices(n: number, k: number, rng: Rng): number[] {
  checkCount('n', n);
  checkCount('k', k);
  if (k > n) throw new RangeError(`Cannot sample ${k} distinct indices from ${n}`);
  const chosen = new Set<number>();
  for (let limit = n - k; limit < n; limit++) {
    const candidate = Math.floor(rng() * (limit + 1));
    chosen.add(chosen.has(candidate) ? limit : candidate);
  }
  return [...chosen].sort((left, right) => left - right);
}

/** FNV-1a over the UTF-16 code units. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The MurmurHash3 32-bit finaliser: every input bit affects every output bit. */
function finalise(value: number): number {
  let z = value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
