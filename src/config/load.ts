import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { TaskSource } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { type LoadedPrompt, loadPrompts } from '../prompts/load.js';
import type { Target } from '../types.js';
import { contentHash } from '../util/hash.js';
import { importUserModule } from '../util/import-module.js';
import { looksSecret, Redactor, type Secret, secretsInUse } from '../util/redactor.js';
import { type EnvReference, interpolateEnv, loadEnvFiles } from './env.js';
import { configSchema, DEFAULT_DATABASE, type ParsedConfig } from './schema.js';
import { type FieldPath, formatFieldPath, readYamlFile } from './source.js';
import { parseStoreUrl, type StoreLocation } from './store-url.js';
import { asWritten, fieldKey, resolveTargets, type WrittenStrings } from './targets.js';
import { validate } from './validate.js';

export const CONFIG_FILE_NAMES = [
  'assay.yaml',
  'assay.yml',
  'assay.config.ts',
  'assay.config.mts',
  'assay.config.js',
  'assay.config.mjs',
];

/** Everything a run needs from the user's files, validated and versioned. */
export interface Project {
  configPath: string;
  baseDir: string;
  config: ParsedConfig;
  prompts: LoadedPrompt[];
  /**
   * The tasks, read from their files on each pass (`batches`) or all at once (`all`): a run streams
   * them, so a dataset of any size is never held in memory.
   */
  taskSource: TaskSource;
  targets: Target[];
  configHash: string;
  /**
   * The store: an absolute SQLite file path or a PostgreSQL URL (from ASSAY_DATABASE_URL, ASSAY_DB,
   * `store.url` or `database`, in that order).
   */
  databaseUrl: string;
  /** Where local files beside the store go (the price memo): the SQLite file's folder, else `.assay/`. */
  stateDir: string;
  /** Config strings as written where they took values from the environment (see `asWritten`). */
  written: WrittenStrings;
  /** Replaces the secrets this project uses with references, in anything stored, logged or exported. */
  redactor: Redactor;
  locate(fieldPath: FieldPath): string;
}

/**
 * Whether an environment value substituted into the config is a credential: its variable's name
 * says so, or it went into a header, a URL's query or user-info, or provider options.
 */
function isSecretReference(reference: EnvReference, name: string): boolean {
  if (looksSecret(name)) return true;
  if (reference.fieldPath.some((key) => key === 'headers' || key === 'provider_options')) return true;
  const written = reference.written;
  const at = written.indexOf(`\${${name}`);
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(written) &&
    (written.lastIndexOf('?', at) !== -1 || written.indexOf('@', at) !== -1)
  );
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

export async function findConfigFile(cwd: string, explicit?: string): Promise<string> {
  if (explicit) {
    const full = path.resolve(cwd, explicit);
    if (!(await exists(full)))
      throw new UserError(`config file not found: ${explicit}`, undefined, 'check the --config path');
    return full;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const full = path.join(cwd, name);
    if (await exists(full)) return full;
  }
  throw new UserError(
    `no assay.yaml in ${cwd}`,
    undefined,
    'run `assay init` to create a project, or pass --config <file>',
  );
}

async function readConfigValue(
  file: string,
): Promise<{ value: unknown; locate(fieldPath: FieldPath): string }> {
  if (/\.(ya?ml|json)$/i.test(file)) return readYamlFile(file);
  const display = path.relative(process.cwd(), file) || file;
  const module = await importUserModule(file, display, display);
  const value =
    typeof module.default === 'function' ? await (module.default as () => unknown)() : module.default;
  return { value, locate: (fieldPath) => `${display} (${formatFieldPath(fieldPath)})` };
}

/** Configs that are code: loading them runs them. */
const CODE_CONFIG = /\.[cm]?[jt]s$/i;

/**
 * The store a project's config names (`store.url`, else `database`), found without loading the
 * project and without ever running its config (read-only commands must not execute a pull
 * request's assay.config.ts). A YAML or JSON config is read for those two fields, their `${VAR}`s
 * filled from the environment and the config's env files; beside a config that is code, the store
 * is the default `.assay/assay.db`. Returns a file path or a `postgres://` URL.
 */
export async function findStoreUrl(
  options: { cwd?: string; configPath?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const configPath = await findConfigFile(options.cwd ?? process.cwd(), options.configPath);
  const baseDir = path.dirname(configPath);
  if (CODE_CONFIG.test(configPath)) {
    const database = path.resolve(baseDir, DEFAULT_DATABASE);
    if (await exists(database)) return database;
    const name = path.basename(configPath);
    throw new UserError(
      `no database at ${path.join(path.dirname(path.relative(process.cwd(), configPath)) || '.', DEFAULT_DATABASE)}, and ${name} is code, which this command does not run to find another`,
      name,
      'pass --db <url> or set ASSAY_DATABASE_URL to the store your config names',
    );
  }
  const source = await readYamlFile(configPath);
  const raw = source.value as Record<string, unknown> | null;
  const record = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  const store = record.store as { url?: unknown } | undefined;
  const fieldPath = store?.url !== undefined ? ['store', 'url'] : ['database'];
  const written = store?.url ?? record.database;
  if (written === undefined) return path.resolve(baseDir, DEFAULT_DATABASE);
  if (typeof written !== 'string') {
    throw new UserError(
      `${fieldPath.join('.')} must be a file path or a postgres:// URL`,
      source.locate(fieldPath),
      `for example database: ${DEFAULT_DATABASE}`,
    );
  }
  // A copy: this command only needs the variables, not to publish them to the process.
  const env = { ...(options.env ?? process.env) };
  const envFiles = Array.isArray(raw?.env_files)
    ? raw.env_files.filter((file) => typeof file === 'string')
    : ['.env'];
  await loadEnvFiles(envFiles, baseDir, env);
  const url = interpolateEnv(written, env, source.locate, fieldPath) as string;
  const location = parseStoreUrl(url, { baseDir, where: source.locate(fieldPath) });
  return location.dialect === 'sqlite' ? location.path : location.url;
}

/** The config as commands that use no targets read it: targets and grader neither checked nor resolved. */
const configWithoutTargets = configSchema.extend({
  targets: z.array(z.unknown()).min(1),
  grader: z.unknown().optional(),
});

/**
 * Loads, validates and versions a project from its config file. `targets: false` is for commands
 * that use no target (task and prompt browsing): targets and grader are not resolved, so the
 * environment variables only they use need not be set, and `project.targets` is empty.
 */
export async function loadProject(
  options: { cwd?: string; configPath?: string; env?: NodeJS.ProcessEnv; targets?: boolean } = {},
): Promise<Project> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const configPath = await findConfigFile(cwd, options.configPath);
  const baseDir = path.dirname(configPath);
  const source = await readConfigValue(configPath);
  if (!source.value || typeof source.value !== 'object' || Array.isArray(source.value)) {
    throw new UserError(
      'the config must be a mapping of settings',
      source.locate([]),
      'see `assay init` for an example',
    );
  }
  const raw = source.value as Record<string, unknown>;
  const envFiles = Array.isArray(raw.env_files) ? (raw.env_files as string[]) : ['.env'];
  await loadEnvFiles(envFiles, baseDir, env);
  const written = new Map<string, string>();
  const referenced: Secret[] = [];
  const onReference = (reference: EnvReference) => {
    written.set(fieldKey(reference.fieldPath), reference.written);
    for (const { name, value } of reference.values)
      if (isSecretReference(reference, name)) referenced.push({ name, value });
  };
  const interpolated = (key: string) =>
    key in raw ? { [key]: interpolateEnv(raw[key], env, source.locate, [key], onReference) } : {};
  const withTargets = options.targets !== false;
  const stores = { ...interpolated('database'), ...interpolated('store') };
  let config: ParsedConfig;
  if (withTargets) {
    const resolved = { ...interpolated('targets'), ...interpolated('grader') };
    config = validate(configSchema, { ...raw, ...resolved, ...stores }, source.locate, 'config');
  } else {
    const { grader: _grader, ...rest } = validate(
      configWithoutTargets,
      { ...raw, ...stores },
      source.locate,
      'config',
    );
    config = { ...rest, targets: [] };
  }
  if ('database' in raw && config.store) {
    throw new UserError(
      'the config sets both `database` and `store.url`',
      source.locate(['database']),
      'keep only `store: { url: ... }`',
    );
  }
  const store = storeLocation(config, env, baseDir, source.locate);
  const prompts = await loadPrompts(config.prompts, baseDir, source.locate(['prompts']));
  const taskSource = new TaskSource(config.tasks, baseDir, source.locate);
  const targets = withTargets ? resolveTargets(config, prompts, source.locate, written) : [];
  validateSuites(config, source.locate);
  return {
    configPath,
    baseDir,
    config,
    prompts,
    taskSource,
    targets,
    configHash: contentHash({
      // As written: a rotated key is the same config.
      config: asWritten(config, [], written),
      prompts: prompts.map((prompt) => prompt.version),
      code: await codeVersions(
        [...config.scorers, ...(config.templates?.filters ? [config.templates.filters] : [])],
        baseDir,
      ),
    }),
    databaseUrl: store.dialect === 'sqlite' ? store.path : store.url,
    stateDir:
      store.dialect === 'sqlite' && store.path !== ':memory:'
        ? path.dirname(store.path)
        : path.join(baseDir, '.assay'),
    written,
    redactor: new Redactor(secretsInUse(env, referenced)),
    locate: source.locate,
  };
}

/** The store the environment or the config names; a relative file path is relative to the config. */
function storeLocation(
  config: ParsedConfig,
  env: NodeJS.ProcessEnv,
  baseDir: string,
  locate: (fieldPath: FieldPath) => string,
): StoreLocation {
  if (env.ASSAY_DATABASE_URL) {
    return parseStoreUrl(env.ASSAY_DATABASE_URL, { baseDir, where: 'ASSAY_DATABASE_URL' });
  }
  if (env.ASSAY_DB) return parseStoreUrl(env.ASSAY_DB, { baseDir, where: 'ASSAY_DB' });
  if (config.store) return parseStoreUrl(config.store.url, { baseDir, where: locate(['store', 'url']) });
  return parseStoreUrl(config.database, { baseDir, where: locate(['database']) });
}

/**
 * Content hashes of the user's code that shapes a run (custom scorers, template filters), so that
 * editing it changes the config hash. A missing file hashes as null; loading it later names the error.
 */
async function codeVersions(files: string[], baseDir: string): Promise<Record<string, string | null>> {
  const versions: Record<string, string | null> = {};
  for (const file of files) {
    versions[file] = await readFile(path.resolve(baseDir, file), 'utf8').then(
      (text) => contentHash(text),
      () => null,
    );
  }
  return versions;
}

function validateSuites(config: ParsedConfig, locate: (fieldPath: FieldPath) => string): void {
  for (const [name, suite] of Object.entries(config.suites)) {
    if (!suite.tasks && !suite.tags && !suite.filter) {
      throw new UserError(
        `suite "${name}" selects nothing`,
        locate(['suites', name]),
        'give it tasks (files/globs), tags or filter',
      );
    }
  }
}
