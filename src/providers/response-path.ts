/**
 * A tiny path language for picking a value out of a JSON response: `choices[0].text`,
 * `data.items[-1]["content-type"]`, `results.0.score`. Names are separated by dots; `[n]` indexes an
 * array (negative from the end); `["key"]` or `['key']` reads a key that contains dots or brackets.
 */

export type PathSegment = string | number;

const NAME = /[^.[\]]+/y;
const INDEX = /\[(-?\d+)\]/y;
const QUOTED = /\[(?:"([^"]*)"|'([^']*)')\]/y;

/** Parses a path; returns an error description instead when the text is not a path. */
export function parsePath(text: string): PathSegment[] | { error: string } {
  const segments: PathSegment[] = [];
  let index = 0;
  while (index < text.length) {
    if (text[index] === '[') {
      const position = sticky(INDEX, text, index);
      const key = position ? undefined : sticky(QUOTED, text, index);
      const match = position ?? key;
      if (!match) return { error: `unexpected "${text.slice(index, index + 10)}" at position ${index}` };
      segments.push(position ? Number(position[1]) : (match[1] ?? match[2] ?? ''));
      index += match[0].length;
      continue;
    }
    if (segments.length > 0) {
      if (text[index] !== '.') return { error: `expected "." or "[" at position ${index}` };
      index += 1;
    }
    const name = sticky(NAME, text, index);
    if (!name) return { error: `expected a name at position ${index}` };
    segments.push(name[0]);
    index += name[0].length;
  }
  if (segments.length === 0) return { error: 'the path is empty' };
  return segments;
}

/** The value at `path` in `value`, or undefined when any step is missing. */
export function valueAtPath(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current)) {
      // `results.0.score` reads like `results[0].score`.
      const position = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : NaN;
      current = Number.isInteger(position) ? current.at(position) : undefined;
    } else if (typeof current === 'object' && current !== null && typeof segment === 'string') {
      current = Object.hasOwn(current, segment) ? (current as Record<string, unknown>)[segment] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

function sticky(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}
