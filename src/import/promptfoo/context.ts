import path from 'node:path';
import { glob } from 'tinyglobby';
import { parseYamlSource } from '../../config/source.js';
import { UserError } from '../../errors.js';
import { isOutside, leadsOutside } from '../../util/paths.js';
import { displayPath } from '../names.js';
import { readSourceText } from '../records.js';
import type { ImportOptions, SkippedItem } from '../types.js';

const FILE_PREFIX = 'file://';
const GLOB_CHARS = /[*?[\]{}]/;

/** `file://prompts/a.txt` → `prompts/a.txt`; anything else → undefined. */
export function fileRef(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(FILE_PREFIX)
    ? value.slice(FILE_PREFIX.length)
    : undefined;
}

/** Whether a path holds glob characters (`articles/*.txt`). */
export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Whether a file holds JSON or YAML data. */
export function isStructured(file: string): boolean {
  return ['.json', '.yaml', '.yml'].includes(path.extname(file).toLowerCase());
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path as shown in a message: relative to the working directory when inside it, else absolute. */
function shown(file: string): string {
  return isOutside(process.cwd(), file) ? file : displayPath(file);
}

/** What one promptfoo import has read, skipped and noticed so far. */
export class PromptfooContext {
  readonly skipped: SkippedItem[] = [];
  readonly notes: string[] = [];
  /** Absolute paths of every file read (never overwritten by the import). */
  readonly inputs = new Set<string>();
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly #allowOutside: boolean;

  /** @param baseDir the directory of the promptfoo config; its relative paths start there. */
  constructor(
    readonly baseDir: string,
    options: ImportOptions = {},
  ) {
    this.env = options.env ?? {};
    this.#allowOutside = options.allowOutside === true;
  }

  skip(item: string, where: string, reason: string): void {
    this.skipped.push({ item, where, reason });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  resolve(relative: string): string {
    return path.resolve(this.baseDir, relative);
  }

  /**
   * The absolute path of a file the config refers to. A file outside the config's folder (an
   * absolute path, `..`, or a symlink leading out) is refused unless `allowOutside`: a config must
   * not copy `/proc/self/environ` or `~/.ssh/id_rsa` into task files that are sent to a provider.
   */
  async admit(relative: string, where: string): Promise<string> {
    const file = this.resolve(relative);
    const outside = await leadsOutside(this.baseDir, file);
    if (outside && !this.#allowOutside) {
      throw new UserError(
        `${shown(file)} is outside the promptfoo project folder (${shown(this.baseDir)}); the import does not read it`,
        where,
        'copy the file into the project folder and refer to it by a relative path, or pass --allow-outside if you trust this config',
      );
    }
    if (outside && !this.inputs.has(file))
      this.note(`read ${file}, outside the project folder (--allow-outside)`);
    return file;
  }

  /** Reads a file the config refers to; a missing one is a UserError naming it and the reference. */
  async readText(relative: string, where: string): Promise<string> {
    const file = await this.admit(relative, where);
    try {
      const text = await readSourceText(file);
      this.inputs.add(file);
      return text;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      throw new UserError(
        `${error.message} (${displayPath(file)}, referenced here)`,
        where,
        'fix the path: it is relative to the promptfoo config',
        { cause: error },
      );
    }
  }

  /** A `file://` value as promptfoo loads it: JSON and YAML parsed, anything else as text. */
  async readValue(relative: string, where: string): Promise<unknown> {
    const text = await this.readText(relative, where);
    return isStructured(relative) ? parseYamlSource(text, this.resolve(relative)).value : text;
  }

  /** The files a path or glob names, sorted; a glob that matches nothing is a UserError. */
  async expand(pattern: string, where: string): Promise<string[]> {
    if (!isGlob(pattern)) return [pattern];
    const matches = await glob(pattern, { cwd: this.baseDir, onlyFiles: true });
    if (matches.length === 0) {
      throw new UserError(
        `no file matches "${pattern}"`,
        where,
        'fix the glob: it is relative to the promptfoo config',
      );
    }
    return matches.sort();
  }
}
