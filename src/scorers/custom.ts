import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { importUserModule } from '../util/import-module.js';
import { ScorerRegistry } from './registry.js';
import type { Scorer } from './scorer.js';
import { describeValue } from './text.js';

/** Duck-typed: modules loaded by jiti or another copy of Assay have their own `defineScorer`. */
function isScorer(value: unknown): value is Scorer {
  const candidate = value as Partial<Scorer> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.prepare === 'function'
  );
}

/**
 * Loads user modules (TypeScript or JavaScript, paths relative to `baseDir`) exporting scorers made
 * with `defineScorer`: a default export that is a scorer or a list of them, and any named exports
 * that are scorers. Registers them all in `registry` (none when one fails) and returns their names.
 * A missing file, a module without scorers, a default export that is not one, or a duplicate name
 * is a `UserError` naming the file.
 */
export async function loadCustomScorers(
  files: string[],
  baseDir: string,
  registry: ScorerRegistry,
): Promise<string[]> {
  // Checked in a scratch registry first so that a bad file registers nothing.
  const staging = new ScorerRegistry([]);
  const origins = new Map<string, string>();
  for (const written of files) {
    for (const scorer of await scorersOf(written, baseDir)) {
      const clash = registry.get(scorer.name)
        ? 'a built-in or already registered scorer'
        : origins.get(scorer.name);
      if (clash !== undefined) {
        throw new UserError(
          `scorer module ${written}: a scorer named "${scorer.name}" is already defined by ${clash}`,
          undefined,
          'give the custom scorer another name',
        );
      }
      try {
        staging.register(scorer);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        throw new UserError(`scorer module ${written}: ${error.message}`, undefined, error.hint, {
          cause: error,
        });
      }
      origins.set(scorer.name, written);
    }
  }
  const names = staging.names();
  for (const name of names) {
    const scorer = staging.get(name);
    if (scorer) registry.register(scorer);
  }
  return names;
}

async function scorersOf(written: string, baseDir: string): Promise<Scorer[]> {
  const file = path.resolve(baseDir, written);
  if (!existsSync(file)) {
    throw new UserError(
      `scorer module not found: ${written}`,
      undefined,
      `create ${file} or fix the path (relative to the config)`,
    );
  }
  const module = (await importUserModule(file, `scorer module ${written}`)) as Record<string, unknown>;
  const found: Scorer[] = [];
  const add = (scorer: Scorer) => {
    if (!found.includes(scorer)) found.push(scorer);
  };
  const exported = module.default;
  if (exported !== undefined) {
    const items = Array.isArray(exported) ? exported : [exported];
    for (const [index, item] of items.entries()) {
      if (!isScorer(item)) {
        const what = Array.isArray(exported)
          ? `item ${index + 1} of its default export`
          : 'its default export';
        throw new UserError(
          `scorer module ${written}: ${what} is not a scorer, got ${describeValue(item)}`,
          undefined,
          "export default defineScorer({ name, version, prepare }) (import { defineScorer } from 'assay')",
        );
      }
      add(item);
    }
  }
  for (const [key, value] of Object.entries(module)) {
    if (key !== 'default' && isScorer(value)) add(value);
  }
  if (found.length === 0) {
    throw new UserError(
      `scorer module ${written} exports no scorer`,
      undefined,
      "export default defineScorer({ name, version, prepare }) (import { defineScorer } from 'assay')",
    );
  }
  return found;
}
