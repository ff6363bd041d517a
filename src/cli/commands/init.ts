import { access, copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILE_NAMES } from '../../config/load.js';
import { configJsonSchema } from '../../config/schema.js';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { ensureParentFolder } from '../../util/output-files.js';
import { missingFromPackageJson, newPackageJson } from './init-package.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/init/', import.meta.url));
const CI_TEMPLATE_DIRS: Record<string, string> = {
  github: fileURLToPath(new URL('../../../templates/ci/github/', import.meta.url)),
};
/** Files stored under another name in the package (npm drops dotfiles such as .gitignore). */
const RENAMES: Record<string, string> = { 'env.example': '.env.example', gitignore: '.gitignore' };

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? listFiles(path.join(dir, entry.name), path.join(prefix, entry.name))
        : [path.join(prefix, entry.name)],
    ),
  );
  return nested.flat();
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export interface InitFlags {
  force?: boolean;
  /** Also write CI workflows for this system (`github`). */
  ci?: string;
}

interface PlannedFile {
  to: string;
  /** Copy this template file, or write `text`. */
  from?: string;
  text?: string;
}

/**
 * `assay init [dir] [--ci github]`: scaffolds a project; with `--ci github` also the GitHub Actions
 * workflows (in an existing project, only those). Writes a package.json where there is none, and
 * says what to add to one that is there (never rewritten, even with --force). Never overwrites
 * another file without --force.
 */
export async function initCommand(dir: string, flags: InitFlags): Promise<number> {
  const target = path.resolve(dir);
  if (flags.ci !== undefined && !Object.hasOwn(CI_TEMPLATE_DIRS, flags.ci)) {
    throw new UserError(
      `unknown --ci "${flags.ci}"`,
      '--ci',
      `supported: ${Object.keys(CI_TEMPLATE_DIRS).join(', ')}; docs/ci.md shows GitLab and other CI systems`,
    );
  }
  const existingProject = flags.ci !== undefined && (await hasConfig(target));
  const plan: PlannedFile[] = existingProject ? [] : await projectFiles(target);
  // The package.json is the user's once it exists: read (and checked) before anything is written.
  const packageFile = path.join(target, 'package.json');
  const packageText = await readFile(packageFile, 'utf8').catch(() => undefined);
  const packageAdditions =
    packageText === undefined ? [] : missingFromPackageJson(packageText, shownPath(packageFile));
  if (packageText === undefined) plan.push({ to: packageFile, text: newPackageJson(target) });
  if (flags.ci !== undefined) plan.push(...(await ciFiles(CI_TEMPLATE_DIRS[flags.ci]!, target)));
  if (!flags.force) {
    for (const { to } of plan) {
      if (await exists(to)) {
        throw new UserError(
          `${shownPath(to)} already exists`,
          dir,
          flags.ci !== undefined && existingProject
            ? 'pass --force to overwrite the workflow files'
            : 'choose an empty directory, or pass --force to overwrite',
        );
      }
    }
  }
  for (const { from, to, text } of plan) {
    await ensureParentFolder(to, '[dir]');
    if (from) await copyFile(from, to);
    else await writeFile(to, text ?? '');
  }
  const shown = shownPath(target);
  const lines = [
    existingProject
      ? `added CI workflows${packageText === undefined ? ' and a package.json' : ''}:`
      : `created an Assay project in ${shown}:`,
    ...plan.map(({ to }) => `  ${path.relative(target, to)}`),
    '',
  ];
  if (packageAdditions.length > 0) {
    lines.push(
      `${shownPath(packageFile)} is kept as it is; add what Assay needs to it:`,
      ...packageAdditions,
      '',
    );
  }
  lines.push('next:');
  if (shown !== '.') lines.push(`  cd ${shown}`);
  if (packageText === undefined) {
    lines.push(
      '  npm install            # installs Assay, a dev dependency in package.json; until Assay is on',
      '                         # the npm registry: npm install -D <path to assay-x.y.z.tgz> (README)',
    );
  }
  if (!existingProject) {
    lines.push(
      '  cp .env.example .env   # add OPENAI_API_KEY, or point OPENAI_BASE_URL at `npx assay mock-server`',
      '  npx assay run          # or: npm run eval',
    );
  }
  if (flags.ci !== undefined) {
    lines.push(
      '  add your provider keys (e.g. OPENAI_API_KEY) as repository secrets, then commit .github/workflows',
      '  commit package.json and package-lock.json: the workflows run `npm ci` (`npm install` without a lock file)',
      '  the workflows run the suites critical, regression and comprehensive: define them in assay.yaml',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

/** A path as the user would type it from the current directory. */
function shownPath(file: string): string {
  return path.relative(process.cwd(), file) || '.';
}

async function projectFiles(target: string): Promise<PlannedFile[]> {
  const files = await listFiles(TEMPLATE_DIR);
  const plan: PlannedFile[] = files.map((file) => ({
    from: path.join(TEMPLATE_DIR, file),
    to: path.join(target, RENAMES[file] ?? file),
  }));
  plan.push({
    to: path.join(target, 'assay.schema.json'),
    text: `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
  });
  return plan;
}

/**
 * Workflow files go to the repository root's .github/workflows (the nearest parent holding .git, or
 * the project itself); their paths point back at the project directory.
 */
async function ciFiles(templateDir: string, project: string): Promise<PlannedFile[]> {
  const root = (await findRepositoryRoot(project)) ?? project;
  const relative = path.relative(root, project).split(path.sep).join('/');
  const replacements: Record<string, string> = {
    __ASSAY_DIR__: relative === '' ? '.' : relative,
    __ASSAY_PREFIX__: relative === '' ? '' : `${relative}/`,
  };
  const plan: PlannedFile[] = [];
  for (const file of await listFiles(templateDir)) {
    const template = await readFile(path.join(templateDir, file), 'utf8');
    plan.push({
      to: path.join(root, '.github', 'workflows', file),
      text: template.replace(/__ASSAY_(?:DIR|PREFIX)__/g, (token) => replacements[token] ?? token),
    });
  }
  return plan;
}

async function findRepositoryRoot(start: string): Promise<string | null> {
  let dir = start;
  for (;;) {
    if (await exists(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

async function hasConfig(dir: string): Promise<boolean> {
  for (const name of CONFIG_FILE_NAMES) if (await exists(path.join(dir, name))) return true;
  return false;
}
