import path from 'node:path';
import { UserError } from '../../errors.js';
import { VERSION } from '../../version.js';

/** The npm scripts a project gets: the command a person runs, and the one its CI runs. */
export const PROJECT_SCRIPTS: Readonly<Record<string, string>> = {
  eval: 'assay run',
  'eval:ci': 'assay ci --suite critical --baseline latest-on-main',
};

/**
 * Dependencies whose install scripts must run: better-sqlite3 builds its native module on install,
 * and npm 12 runs a dependency's install script only when package.json's `allowScripts` allows it.
 */
const ALLOW_SCRIPTS: Readonly<Record<string, boolean>> = { 'better-sqlite3': true };

/** How a project depends on Assay. */
export const ASSAY_DEPENDENCY = `^${VERSION}`;

/** A package name npm accepts, made from the project's directory name. */
function packageName(dir: string): string {
  const name = path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name.slice(0, 214) || 'assay-evals';
}

/** The package.json of a new project: private, Assay as a dev dependency, the eval scripts. */
export function newPackageJson(dir: string): string {
  const manifest = {
    name: packageName(dir),
    private: true,
    description: 'LLM evals run with Assay',
    scripts: PROJECT_SCRIPTS,
    devDependencies: { assay: ASSAY_DEPENDENCY },
    allowScripts: ALLOW_SCRIPTS,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

interface Manifest {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  allowScripts?: Record<string, unknown>;
}

/**
 * What an existing package.json lacks for Assay, as lines to show (none when it has everything).
 * A file that is not a JSON object is a UserError: nothing has been written yet when it is read.
 */
export function missingFromPackageJson(text: string, file: string): string[] {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (error) {
    throw new UserError(
      `not valid JSON (${(error as Error).message})`,
      file,
      'fix the file (or move it away) and run assay init again',
      { cause: error },
    );
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new UserError('not a JSON object', file, 'fix the file and run assay init again');
  }
  const lines: string[] = [];
  const scripts = Object.entries(PROJECT_SCRIPTS).filter(([name]) => manifest.scripts?.[name] === undefined);
  if (scripts.length > 0) {
    const entries = scripts.map(([name, command]) => `"${name}": "${command}"`).join(', ');
    lines.push(`  "scripts": { ${entries} }`);
  }
  if (manifest.devDependencies?.assay === undefined && manifest.dependencies?.assay === undefined) {
    lines.push(
      `  "devDependencies": { "assay": "${ASSAY_DEPENDENCY}" }   (or: npm install -D <path to the assay tarball>)`,
    );
  }
  const allowed = Object.keys(ALLOW_SCRIPTS).filter((name) => manifest.allowScripts?.[name] === undefined);
  if (allowed.length > 0) {
    lines.push(
      `  "allowScripts": { ${allowed.map((name) => `"${name}": true`).join(', ')} }   (npm 12 runs a dependency's install script only when allowed)`,
    );
  }
  return lines;
}
