import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../stats/random.js';
import { canonicalJson, contentHash, generalCanonicalJson, sha256 } from './hash.js';

/** Random JSON-like data, with the awkward cases canonical JSON must keep stable. */
function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 9 : 12));
  const keys = ['b', 'a', 'é', 'z z', '"q"', 'A', '_', '10x', 'x10', '', 'ü'];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return Math.floor(next() * 2000) - 1000;
    case 3:
      return [0.1, -0, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY, 123.456][Math.floor(next() * 7)];
    case 4:
      return ['', 'plain', 'quote " and \\ slash', 'line\nbreak', '\u2028', 'emoji 🙂', '\u0000'][
        Math.floor(next() * 7)
      ];
    case 5:
      return undefined;
    case 6:
      return 'text';
    case 7:
      return Math.floor(next() * 10);
    case 8:
      return 'leaf';
    case 9:
    case 10: {
      const out: Record<string, unknown> = {};
      const count = Math.floor(next() * 5);
      for (let index = 0; index < count; index++) {
        out[keys[Math.floor(next() * keys.length)]!] = randomValue(next, depth + 1);
      }
      return out;
    }
    default:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  }
}

describe('canonicalJson', () => {
  it('writes exactly what the general definition writes, for 5,000 random values', () => {
    const next = createRng(20261127);
    for (let index = 0; index < 5000; index++) {
      const value = randomValue(next, 0);
      expect(canonicalJson(value)).toBe(generalCanonicalJson(value));
    }
  });

  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"x":2,"y":1}]},"b":1}',
    );
    expect(canonicalJson([undefined, () => 1, Number.NaN])).toBe('[null,null,null]');
  });

  it('falls back to the general path for index-like keys, toJSON, class instances and boxed values', () => {
    class Point {
      constructor(
        readonly y: number,
        readonly x: number,
      ) {}
    }
    const awkward: unknown[] = [
      { b: 1, 10: 'ten', 9: 'nine', a: 2 },
      { when: new Date(0), a: 1 },
      { toJSON: () => ({ z: 1, a: 2 }) },
      new Point(1, 2),
      [new Map([['a', 1]]), new Set([1])],
      { boxed: Object('text'), n: Object(5) },
      Object.create(null, { b: { value: 1, enumerable: true }, a: { value: 2, enumerable: true } }),
      JSON.parse('{"__proto__": {"a": 1}, "b": 2}'),
      { vars: JSON.parse('{"doc": {"__proto__": "x", "a": 1}}') },
      Object.assign([1, 2], { toJSON: () => 'array' }),
    ];
    for (const value of awkward) expect(canonicalJson(value)).toBe(generalCanonicalJson(value));
    expect(canonicalJson({ b: 1, 10: 'ten', 9: 'nine' })).toBe('{"9":"nine","10":"ten","b":1}');
  });

  it('rejects what JSON cannot hold, as JSON.stringify does', () => {
    expect(() => canonicalJson({ big: 10n })).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow();
  });
});

describe('sha256 and contentHash', () => {
  it('are the hex sha256 of the text, cut to the length asked', () => {
    const full = createHash('sha256').update('héllo').digest('hex');
    expect(sha256('héllo')).toBe(full);
    expect(sha256('héllo', 12)).toBe(full.slice(0, 12));
    expect(contentHash({ b: 1, a: 2 })).toBe(
      createHash('sha256').update('{"a":2,"b":1}').digest('hex').slice(0, 12),
    );
  });
});
