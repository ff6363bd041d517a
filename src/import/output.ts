import { createWriteStream } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'yaml';
import { UserError } from '../errors.js';
import { ensureParentFolder } from '../util/output-files.js';
import { displayPath } from './names.js';
import type { ImportFormat, ImportPlan, PlannedFile } from './types.js';

/** A file written from one string. */
export function textFile(relativePath: string, content: string, summary: string): PlannedFile {
  return { path: relativePath, summary, write: (destination) => writeFile(destination, content) };
}

/** YAML text of `value`, block style, long strings left on one line. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** A YAML file, with a comment saying where it came from. */
export function yamlFile(relativePath: string, value: unknown, header: string, summary: string): PlannedFile {
  return textFile(relativePath, `# ${header}\n${toYaml(value)}`, summary);
}

/** A file written line by line from a stream, so a large dataset is never one string. */
export function streamedFile(
  relativePath: string,
  summary: string,
  lines: () => AsyncIterable<string>,
): PlannedFile {
  return {
    path: relativePath,
    summary,
    write: (destination) => pipeline(Readable.from(lines()), createWriteStream(destination)),
  };
}

export interface AssayConfigParts {
  format: ImportFormat;
  source: string;
  description?: string;
  prompts: string[];
  targets: unknown[];
  tasks: string[];
  /** The default judge of model-graded assertions. */
  grader?: string;
  defaults?: Record<string, unknown>;
}

/** `assay.yaml` wiring the imported prompts, targets and task files together. */
export function assayConfigFile(parts: AssayConfigParts): PlannedFile {
  const config = {
    ...(parts.description ? { description: parts.description } : {}),
    prompts: parts.prompts,
    targets: parts.targets,
    tasks: parts.tasks,
    ...(parts.grader ? { grader: parts.grader } : {}),
    ...(parts.defaults && Object.keys(parts.defaults).length > 0 ? { defaults: parts.defaults } : {}),
  };
  const onlyEcho = parts.targets.length === 1 && parts.targets[0] === 'echo';
  const header = [
    `Imported from ${parts.source} by \`assay import ${parts.format}\`.`,
    ...(onlyEcho ? ['The echo target answers with the prompt: replace it with your models.'] : []),
  ];
  const summary = `${count(parts.prompts.length, 'prompt')}, ${count(parts.targets.length, 'target')}, ${count(parts.tasks.length, 'task file')}`;
  return textFile('assay.yaml', `${header.map((line) => `# ${line}\n`).join('')}${toYaml(config)}`, summary);
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Writes the planned files under `outDir`. Refuses, before writing anything, to overwrite an existing
 * file unless `force`, and never overwrites a file the import read. Returns the absolute paths written.
 */
export async function writePlan(plan: ImportPlan, outDir: string, force: boolean): Promise<string[]> {
  const destinations = plan.files.map((file) => path.resolve(outDir, file.path));
  const inputs = new Set(plan.inputs.map((input) => path.resolve(input)));
  const source = destinations.find((destination) => inputs.has(destination));
  if (source) {
    throw new UserError(
      `the import would overwrite its own input ${displayPath(source)}`,
      displayPath(source),
      'choose another --out directory',
    );
  }
  if (!force) {
    const existing: string[] = [];
    for (const destination of destinations) if (await exists(destination)) existing.push(destination);
    const first = existing[0];
    if (first) {
      const others = existing.length > 1 ? ` (and ${existing.slice(1).map(displayPath).join(', ')})` : '';
      throw new UserError(
        `${displayPath(first)} already exists${others}`,
        displayPath(first),
        'pass --force to overwrite, or choose another --out directory',
      );
    }
  }
  for (const [index, file] of plan.files.entries()) {
    const destination = destinations[index]!;
    await ensureParentFolder(destination, '--out');
    await file.write(destination);
  }
  return destinations;
}
