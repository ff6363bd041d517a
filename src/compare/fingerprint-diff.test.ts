import { describe, expect, it } from 'vitest';
import type { RunFingerprint } from '../types.js';
import { describeChange, diffFingerprints, kindsOfInterest } from './fingerprint-diff.js';

const BASE: RunFingerprint = {
  configHash: 'c1',
  datasetVersion: 'd1',
  promptVersions: { answer: 'p1' },
  targetVersions: { gpt: 'g1' },
  scorerVersions: { equals: '1' },
  gitCommit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  assayVersion: '0.1.0',
};

function fingerprint(overrides: Partial<RunFingerprint>): RunFingerprint {
  return { ...BASE, ...overrides };
}

describe('diffFingerprints', () => {
  it('finds nothing between equal fingerprints', () => {
    expect(diffFingerprints(BASE, { ...BASE })).toEqual([]);
  });

  it('names each changed, added and removed entry, interesting kinds first', () => {
    const changes = diffFingerprints(
      BASE,
      fingerprint({
        gitCommit: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
        configHash: 'c2',
        promptVersions: { answer: 'p2', extra: 'p9' },
        scorerVersions: {},
        judgeVersions: { 'judge:gpt': 'j1' },
        assayVersion: '0.2.0',
      }),
    );
    expect(changes.map(describeChange)).toEqual([
      'prompt answer p1 → p2',
      'prompt extra added (p9)',
      'scorer equals removed',
      'judge judge:gpt added (j1)',
      'assay version 0.1.0 → 0.2.0',
      'config c1 → c2',
      'git commit 4b825dc6 → 1a2b3c4d',
    ]);
  });

  it('shows a renamed target pair as one change instead of a removal and an addition', () => {
    const changes = diffFingerprints(
      fingerprint({ targetVersions: { 'gpt-4o': 'g1', echo: 'e1' } }),
      fingerprint({ targetVersions: { claude: 'c9', echo: 'e1' } }),
      [{ a: 'gpt-4o', b: 'claude' }],
    );
    expect(changes).toEqual([{ kind: 'target', name: 'gpt-4o → claude', before: 'g1', after: 'c9' }]);
    expect(describeChange(changes[0]!)).toBe('target gpt-4o → claude (g1 → c9)');
  });
});

describe('kindsOfInterest', () => {
  it('leaves out git commits and the config hash: they move with every change', () => {
    const changes = diffFingerprints(BASE, fingerprint({ gitCommit: 'abc', configHash: 'c2' }));
    expect(kindsOfInterest(changes)).toEqual([]);
  });

  it('counts a prompt edit once, though the target version (which includes the prompt) moved too', () => {
    const changes = diffFingerprints(
      BASE,
      fingerprint({ promptVersions: { answer: 'p2' }, targetVersions: { gpt: 'g2' } }),
    );
    expect(kindsOfInterest(changes)).toEqual(['prompt']);
  });

  it('lists every kind when several things changed', () => {
    const changes = diffFingerprints(
      BASE,
      fingerprint({
        promptVersions: { answer: 'p2' },
        datasetVersion: 'd2',
        scorerVersions: { equals: '2' },
      }),
    );
    expect(kindsOfInterest(changes)).toEqual(['prompt', 'dataset', 'scorer']);
  });

  it('counts a model swap (renamed target) next to a prompt edit', () => {
    const changes = diffFingerprints(
      fingerprint({ targetVersions: { gpt: 'g1' } }),
      fingerprint({ targetVersions: { claude: 'c1' }, promptVersions: { answer: 'p2' } }),
      [{ a: 'gpt', b: 'claude' }],
    );
    expect(kindsOfInterest(changes)).toEqual(['prompt', 'target']);
  });

  it('counts a target version change alone as a target change', () => {
    expect(kindsOfInterest(diffFingerprints(BASE, fingerprint({ targetVersions: { gpt: 'g2' } })))).toEqual([
      'target',
    ]);
  });
});
