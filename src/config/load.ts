import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTasks } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { type LoadedPrompt, loadPrompts } from '../prompts/load.js';
import type { Target, Task } from '../types.js';
import { contentHash } from '../util/hash.js';
import { importUserModule } from '../util/import-module.js';
import { interpolateEnv, loadEnvFiles } from './env.js';
import { configSchema, DEFAULT_DATABASE, type ParsedConfig } from './schema.js';
import { type FieldPath, formatFieldPath, readYamlFile } from './source.js';
import { resolveTargets } from './targets.js';
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
  tasks: Task[];
  targets: Target[];
  /** Task file (relative) per task id, for suite membership by file. */
  filesByTask: Map<string, string>;
  configHash: string;
  databasePath: string;
  locate(fieldPath: FieldPath): string;
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
 * The database a project's config names, found without loading the project and without ever
 * running its config (read-only commands must not execute a pull request's assay.config.ts). A
 * YAML or JSON config is read for `database`, its `${VAR}`s filled from the environment and the
 * config's env files; beside a config that is code, the store is the default `.assay/assay.db`.
 */
export async function findDatabasePath(
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
      'pass --db <file> or set ASSAY_DB to the database your config names',
    );
  }
  const source = await readYamlFile(configPath);
  const raw = source.value as Record<string, unknown> | null;
  const written = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw.database : undefined;
  if (written === undefined) return path.resolve(baseDir, DEFAULT_DATABASE);
  if (typeof written !== 'string') {
    throw new UserError(
      'database must be a file path',
      source.locate(['database']),
      `for example database: ${DEFAULT_DATABASE}`,
    );
  }
  // A copy: this command only needs the variables, not to publish them to the process.
  const env = { ...(options.env ?? process.env) };
  const envFiles = Array.isArray(raw?.env_files)
    ? raw.env_files.filter((file) => typeof file === 'string')
    : ['.env'];
  await loadEnvFiles(envFiles, baseDir, env);
  return path.resolve(baseDir, interpolateEnv(written, env, source.locate, ['database']) as string);
}

/** Loads, validates and versions a project from its config file. */
export async function loadProject(
  options: { cwd?: string; configPath?: string; env?: NodeJS.ProcessEnv } = {},
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
  const config = validate(
    configSchema,
    {
      ...raw,
      ...('targets' in raw ? { targets: interpolateEnv(raw.targets, env, source.locate, ['targets']) } : {}),
      ...('grader' in raw ? { grader: interpolateEnv(raw.grader, env, source.locate, ['grader']) } : {}),
      ...('database' in raw
        ? { database: interpolateEnv(raw.database, env, source.locate, ['database']) }
        : {}),
    },
    source.locate,
    'config',
  );
  const prompts = await loadPrompts(config.prompts, baseDir, source.locate(['prompts']));
  const { tasks, filesByTask } = await loadTasks(config.tasks, baseDir, source.locate);
  const targets = resolveTargets(config, prompts, source.locate);
  validateSuites(config, source.locate);
  return {
    configPath,
    baseDir,
    config,
    prompts,
    tasks,
    targets,
    filesByTask,
    configHash: contentHash({
      config,
      prompts: prompts.map((prompt) => prompt.version),
      code: await codeVersions(
        [...config.scorers, ...(config.templates?.filters ? [config.templates.filters] : [])],
        baseDir,
      ),
    }),
    databasePath: path.resolve(baseDir, env.ASSAY_DB ?? config.database),
    locate: source.locate,
  };
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
