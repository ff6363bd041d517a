import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { UserError } from '../errors.js';
import { type FieldPath, formatFieldPath } from './source.js';

/**
 * Loads KEY=value files into `env`. Variables already set in the environment win, so CI secrets
 * override a developer's `.env`. Missing files are skipped.
 */
export async function loadEnvFiles(files: string[], baseDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  for (const file of files) {
    const full = path.resolve(baseDir, file);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch {
      continue;
    }
    for (const [key, value] of Object.entries(parseEnv(text))) {
      if (env[key] === undefined) env[key] = value;
    }
  }
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** One string of the config that took values from the environment. */
export interface EnvReference {
  fieldPath: PropertyKey[];
  /** The string as written, with its `${VAR}` references. */
  written: string;
  /** Each variable substituted, with the value it had (defaults are not listed: they are in the file). */
  values: Array<{ name: string; value: string }>;
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed config. A missing variable
 * without a default is an error naming the field. Each string that changed is reported to
 * `onReference`, so stored copies of the config can keep the reference instead of the value.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  locate: (fieldPath: FieldPath) => string,
  fieldPath: PropertyKey[] = [],
  onReference?: (reference: EnvReference) => void,
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const values: EnvReference['values'] = [];
    const out = value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') {
        values.push({ name, value: found });
        return found;
      }
      if (fallback !== undefined) return fallback;
      throw new UserError(
        `environment variable ${name} is not set (used in ${formatFieldPath(fieldPath)})`,
        locate(fieldPath),
        `set ${name} in the environment or in .env, or write \${${name}:-default}`,
      );
    });
    if (out !== value) onReference?.({ fieldPath, written: value, values });
    return out;
  }
  if (Array.isArray(value))
    return value.map((item, index) => interpolateEnv(item, env, locate, [...fieldPath, index], onReference));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value))
      out[key] = interpolateEnv(inner, env, locate, [...fieldPath, key], onReference);
    return out;
  }
  return value;
}
