import path from 'node:path';

/** A file-name-safe, lower-case name: `Refund Window (EU)` → `refund-window-eu`. */
export function slug(text: string, fallback = 'item'): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return cleaned || fallback;
}

/** The slug of a file's name without its extension: `data/Arithmetic.jsonl` → `arithmetic`. */
export function stemName(file: string): string {
  return slug(path.basename(file, path.extname(file)), 'imported');
}

/** Hands out names that are unique, suffixing `-2`, `-3`… to repeats. */
export class UniqueNames {
  readonly #taken = new Set<string>();

  take(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.#taken.has(name); n++) name = `${wanted}-${n}`;
    this.#taken.add(name);
    return name;
  }
}

/** `file` as shown to the user: relative to the working directory, as config errors show it. */
export function displayPath(file: string): string {
  return path.relative(process.cwd(), file) || file;
}
