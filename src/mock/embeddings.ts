/**
 * Deterministic embeddings for the mock's embeddings endpoints: a signed, hashed bag of lowercase
 * words, L2-normalised. Texts that share words get a high cosine similarity (the same words in any
 * order give exactly 1), unrelated texts one near 0.
 */

/** Length of a mock embedding unless the request asks for `dimensions`. */
export const EMBEDDING_DIMENSIONS = 64;

const WORD = /[\p{L}\p{N}]+/gu;

/** The mock embedding of `text`. */
export function embedText(text: string, dimensions = EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(WORD) ?? [];
  for (const word of words) addWord(vector, word);
  // No words (punctuation only), or words that cancelled out: the text itself is the one feature.
  if (norm(vector) === 0) addWord(vector, `\0${text}`);
  const length = norm(vector);
  return vector.map((value) => value / length);
}

/** Cosine similarity of two vectors of the same length. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let index = 0; index < a.length; index++) dot += (a[index] ?? 0) * (b[index] ?? 0);
  return dot / (norm(a) * norm(b));
}

function addWord(vector: number[], word: string): void {
  const hash = fnv1a(word);
  const index = hash % vector.length;
  // The sign comes from other bits than the index, so colliding words do not always add up.
  vector[index] = (vector[index] ?? 0) + (hash & 0x80000000 ? -1 : 1);
}

function norm(vector: readonly number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

/** 32-bit FNV-1a over UTF-16 code units: tiny and well spread for short words. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
