const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * One block character per value, scaled between the smallest and largest value so that small moves
 * of a metric stay visible; missing values are spaces. When every value is the same, the blocks show
 * where it sits in `fallback` (0..1 by default), so a flat 100% reads as full, not as empty.
 */
export function sparkline(
  values: ReadonlyArray<number | null>,
  fallback: { min: number; max: number } = { min: 0, max: 1 },
): string {
  const known = values.filter((value): value is number => value !== null && Number.isFinite(value));
  if (known.length === 0) return ' '.repeat(values.length);
  let min = known.reduce((low, value) => Math.min(low, value));
  let max = known.reduce((high, value) => Math.max(high, value));
  if (min === max) {
    min = fallback.min;
    max = fallback.max;
  }
  const span = max - min;
  return values
    .map((value) => {
      if (value === null || !Number.isFinite(value)) return ' ';
      const position = span > 0 ? (value - min) / span : 1;
      const level = Math.round(Math.min(1, Math.max(0, position)) * (BLOCKS.length - 1));
      return BLOCKS[level];
    })
    .join('');
}
