/**
 * Splits rows for multi-row INSERTs that stay under the database's bound-parameter limit. Chunk
 * sizes are powers of two, so batches of any size map to a handful of distinct statements that a
 * statement cache can keep (200 rows → 128 + 64 + 8).
 */
export function chunkRows<T extends object>(rows: readonly T[], maxParameters: number): T[][] {
  const first = rows[0];
  if (first === undefined) return [];
  const fitting = Math.max(1, Math.floor(maxParameters / Object.keys(first).length));
  const largest = 2 ** Math.floor(Math.log2(fitting));
  const chunks: T[][] = [];
  let start = 0;
  while (start < rows.length) {
    const remaining = rows.length - start;
    const size = remaining >= largest ? largest : 2 ** Math.floor(Math.log2(remaining));
    chunks.push(rows.slice(start, start + size));
    start += size;
  }
  return chunks;
}
