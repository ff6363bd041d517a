/** Small formatting helpers for scorer reasons and configuration errors. */

/** How much of an output a reason quotes. */
export const PREVIEW_LENGTH = 80;

/** Quotes `text` for a reason, cut to `max` characters (never inside a surrogate pair). */
export function preview(text: string, max = PREVIEW_LENGTH): string {
  if (text.length <= max) return JSON.stringify(text);
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${JSON.stringify(text.slice(0, end)).slice(0, -1)}…"`;
}

/** Cuts a string that is shown unquoted (a regex source) to `max` characters. */
export function clip(text: string, max = PREVIEW_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Shows a configuration value with its type, p-queue style: `-1 (number)`, `"5" (string)`. */
export function describeValue(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let shown: string;
  try {
    // Numbers as JavaScript writes them: JSON would show NaN and Infinity as `null`.
    shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  return `${clip(shown)} (${type})`;
}

/** Canonical form for text comparisons: composed Unicode, so `é` typed two ways compares equal. */
export function normalizeText(text: string): string {
  return text.normalize('NFC');
}
