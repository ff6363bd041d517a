/** A line of a diff: kept, removed from the old text, or added in the new one. */
export interface DiffLine {
  kind: ' ' | '-' | '+';
  text: string;
}

/**
 * Line diff of two texts by longest common subsequence. O(n·m) time and memory, fine for prompt
 * and task files (a few hundred lines); larger inputs fall back to "all removed, all added".
 */
export function diffLines(before: string, after: string, maxCells = 4_000_000): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > maxCells) {
    return [
      ...a.map((text) => ({ kind: '-' as const, text })),
      ...b.map((text) => ({ kind: '+' as const, text })),
    ];
  }
  // lengths[i][j] = LCS length of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      lines.push({ kind: '-', text: a[i++]! });
    } else {
      lines.push({ kind: '+', text: b[j++]! });
    }
  }
  while (i < a.length) lines.push({ kind: '-', text: a[i++]! });
  while (j < b.length) lines.push({ kind: '+', text: b[j++]! });
  return lines;
}

/**
 * Unified-style text of a diff: changed lines with `context` unchanged lines around them, and
 * `…` where unchanged lines were left out. Empty string when the texts are equal.
 */
export function formatDiff(lines: DiffLine[], context = 2): string {
  if (!lines.some((line) => line.kind !== ' ')) return '';
  const keep = new Uint8Array(lines.length);
  lines.forEach((line, index) => {
    if (line.kind === ' ') return;
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++)
      keep[k] = 1;
  });
  const out: string[] = [];
  let skipped = false;
  lines.forEach((line, index) => {
    if (!keep[index]) {
      if (!skipped) out.push('…');
      skipped = true;
      return;
    }
    skipped = false;
    out.push(`${line.kind} ${line.text}`);
  });
  return out.join('\n');
}
