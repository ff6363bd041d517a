import { access, copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../../config/schema.js';
import { UserError } from '../../errors.js';
import { EXIT } from '../exit-codes.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/init/', import.meta.url));
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

export async function initCommand(dir: string, flags: { force?: boolean }): Promise<number> {
  const target = path.resolve(dir);
  const files = await listFiles(TEMPLATE_DIR);
  const plan = files.map((file) => ({
    from: path.join(TEMPLATE_DIR, file),
    to: path.join(target, RENAMES[file] ?? file),
  }));
  plan.push({ from: '', to: path.join(target, 'assay.schema.json') });
  if (!flags.force) {
    for (const { to } of plan) {
      if (await exists(to)) {
        throw new UserError(
          `${path.relative(process.cwd(), to) || to} already exists`,
          dir,
          'choose an empty directory, or pass --force to overwrite',
        );
      }
    }
  }
  for (const { from, to } of plan) {
    await mkdir(path.dirname(to), { recursive: true });
    if (from) await copyFile(from, to);
    else await writeFile(to, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  }
  const shown = path.relative(process.cwd(), target) || '.';
  process.stdout.write(
    [
      `created an Assay project in ${shown}:`,
      ...plan.map(({ to }) => `  ${path.relative(target, to)}`),
      '',
      'next:',
      ...(shown === '.' ? [] : [`  cd ${shown}`]),
      '  cp .env.example .env   # add OPENAI_API_KEY, or point OPENAI_BASE_URL at `assay mock-server`',
      '  npx assay run',
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
