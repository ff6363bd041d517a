/** Input checks shared by the statistics functions; each quotes the bad value. */

function quote(value: unknown): string {
  return `\`${String(value)}\` (${typeof value})`;
}

/** A count: a whole number from 0 up. */
export function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`Expected \`${name}\` to be a whole number from 0 up, got ${quote(value)}`);
  }
}

/** A random seed: a finite number or a string. */
export function checkSeed(seed: number | string): void {
  if (typeof seed === 'number' ? !Number.isFinite(seed) : typeof seed !== 'string') {
    throw new RangeError(`Expected \`seed\` to be a finite number or a string, got ${quote(seed)}`);
  }
}

/** A confidence level strictly between 0 and 1, such as 0.95. */
export function checkConfidence(confidence: number): void {
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new RangeError(
      `Expected \`confidence\` to be a number between 0 and 1 (exclusive), got ${quote(confidence)}`,
    );
  }
}

/** A probability from 0 to 1 inclusive. */
export function checkProbability(p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`Expected \`p\` to be a probability from 0 to 1, got ${quote(p)}`);
  }
}

/** Every value is a finite number; `name` says which input, the message says which position. */
export function checkFinite(name: string, values: readonly number[]): void {
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`Expected \`${name}[${index}]\` to be a finite number, got ${quote(value)}`);
    }
  }
}
