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

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed config. A missing variable
 * without a default is an error naming the field.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  locate: (fieldPath: FieldPath) => string,
  fieldPath: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw new UserError(
        `environment variable ${name} is not set (used in ${formatFieldPath(fieldPath)})`,
        locate(fieldPath),
        `set ${name} in the environment or in .env, or write \${${name}:-default}`,
      );
    });
  }
  if (Array.isArray(value))
    return value.map((item, index) => interpolateEnv(item, env, locate, [...fieldPath, index]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value))
      out[key] = interpolateEnv(inner, env, locate, [...fieldPath, key]);
    return out;
  }
  return value;
}
