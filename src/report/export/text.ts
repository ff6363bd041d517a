/** Text helpers shared by the export renderers. */

/**
 * Cuts text to at most `max` characters (line breaks kept), ending with `… (N more characters)` when
 * anything was dropped. Never splits a surrogate pair.
 */
export function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}… (${text.length - cut.length} more characters)`;
}

/** `1.234` seconds from milliseconds, as JUnit wants them. */
export function seconds(ms: number): string {
  return (Number.isFinite(ms) ? Math.max(ms, 0) / 1000 : 0).toFixed(3);
}

/** Sum of the judge costs that are known; null when no result had one. */
export function sumJudgeCost(results: ReadonlyArray<{ judgeCostUsd?: number }>): number | null {
  let sum: number | null = null;
  for (const result of results) {
    if (result.judgeCostUsd !== undefined && Number.isFinite(result.judgeCostUsd)) {
      sum = (sum ?? 0) + result.judgeCostUsd;
    }
  }
  return sum;
}
