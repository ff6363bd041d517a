import path from 'node:path';
import { glob } from 'tinyglobby';
import { parseYamlSource } from '../../config/source.js';
import { UserError } from '../../errors.js';
import { displayPath } from '../names.js';
import { readSourceText } from '../records.js';
import type { SkippedItem } from '../types.js';

const FILE_PREFIX = 'file://';
const GLOB_CHARS = /[*?[\]{}]/;

/** `file://prompts/a.txt` → `prompts/a.txt`; anything else → undefined. */
export function fileRef(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(FILE_PREFIX)
    ? value.slice(FILE_PREFIX.length)
    : undefined;
}

/** Whether a file holds JSON or YAML data. */
export function isStructured(file: string): boolean {
  return ['.json', '.yaml', '.yml'].includes(path.extname(file).toLowerCase());
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What one promptfoo import has read, skipped and noticed so far. */
export class PromptfooContext {
  readonly skipped: SkippedItem[] = [];
  readonly notes: string[] = [];
  /** Absolute paths of every file read (never overwritten by the import). */
  readonly inputs = new Set<string>();

  /** @param baseDir the directory of the promptfoo config; its relative paths start there. */
  constructor(readonly baseDir: string) {}

  skip(item: string, where: string, reason: string): void {
    this.skipped.push({ item, where, reason });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  resolve(relative: string): string {
    return path.resolve(this.baseDir, relative);
  }

  /** Reads a file the config refers to; a missing one is a UserError naming it and the reference. */
  async readText(relative: string, where: string): Promise<string> {
    const file = this.resolve(relative);
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
    if (!GLOB_CHARS.test(pattern)) return [pattern];
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
