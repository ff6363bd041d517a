import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { pairTargets } from './targets.js';

describe('pairTargets', () => {
  it('pairs the names both runs share and lists the rest', () => {
    expect(pairTargets(['gpt', 'claude', 'old'], ['claude', 'gpt', 'new'])).toEqual({
      pairs: [
        { a: 'claude', b: 'claude' },
        { a: 'gpt', b: 'gpt' },
      ],
      onlyA: ['old'],
      onlyB: ['new'],
      note: null,
    });
  });

  it('pairs the only target of each run when the names differ (a model swap)', () => {
    expect(pairTargets(['gpt-4o'], ['claude'])).toMatchObject({
      pairs: [{ a: 'gpt-4o', b: 'claude' }],
      note: null,
    });
  });

  it('pairs nothing, with a note saying how to choose, when several targets share no name', () => {
    const pairing = pairTargets(['a1', 'a2'], ['b1']);
    expect(pairing.pairs).toEqual([]);
    expect(pairing.note).toMatch(/--target-a <name> --target-b <name>/);
  });

  it('takes an explicit pair, and one flag alone means the same name on both sides', () => {
    expect(pairTargets(['a1', 'a2'], ['b1', 'b2'], { a: 'a2', b: 'b1' })).toEqual({
      pairs: [{ a: 'a2', b: 'b1' }],
      onlyA: ['a1'],
      onlyB: ['b2'],
      note: null,
    });
    expect(pairTargets(['x', 'y'], ['x', 'y'], { a: 'y' }).pairs).toEqual([{ a: 'y', b: 'y' }]);
  });

  it('rejects an explicit target the run does not have, naming the flag and the known targets', () => {
    expect(() => pairTargets(['a1'], ['b1'], { a: 'a1', b: 'nope' })).toThrow(UserError);
    try {
      pairTargets(['a1'], ['b1'], { a: 'a1', b: 'nope' });
    } catch (error) {
      expect(error).toMatchObject({
        message: 'unknown target "nope"',
        location: '--target-b',
        hint: 'targets of run B: b1',
      });
    }
  });

  it('takes a target by its model name without the provider prefix, as every command does', () => {
    expect(
      pairTargets(['openai:gpt-4o', 'x'], ['anthropic:claude-3-5-haiku-latest', 'x'], {
        a: 'gpt-4o',
        b: 'claude-3-5-haiku-latest',
      }).pairs,
    ).toEqual([{ a: 'openai:gpt-4o', b: 'anthropic:claude-3-5-haiku-latest' }]);
  });
});
