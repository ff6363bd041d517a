import { describe, expect, it } from 'vitest';
import { diffLines, formatDiff } from './diff.js';

describe('diffLines', () => {
  it('keeps common lines and marks removals and additions in order', () => {
    const lines = diffLines('a\nb\nc\nd', 'a\nc\nd\ne');
    expect(lines).toEqual([
      { kind: ' ', text: 'a' },
      { kind: '-', text: 'b' },
      { kind: ' ', text: 'c' },
      { kind: ' ', text: 'd' },
      { kind: '+', text: 'e' },
    ]);
  });

  it('reports a replaced line as a removal then an addition', () => {
    expect(diffLines('x\nold\ny', 'x\nnew\ny').map((line) => `${line.kind}${line.text}`)).toEqual([
      ' x',
      '-old',
      '+new',
      ' y',
    ]);
  });

  it('falls back to remove-all/add-all above the size limit', () => {
    const lines = diffLines('a\nb', 'a\nc', 1);
    expect(lines.map((line) => line.kind)).toEqual(['-', '-', '+', '+']);
  });
});

describe('formatDiff', () => {
  it('is empty for equal texts', () => {
    expect(formatDiff(diffLines('same\ntext', 'same\ntext'))).toBe('');
  });

  it('shows changes with context and elides distant unchanged lines', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n');
    const after = ['1', '2', '3', '4', '5', '6', '7', 'eight'].join('\n');
    expect(formatDiff(diffLines(before, after), 1)).toBe(['…', '  7', '- 8', '+ eight'].join('\n'));
  });
});
