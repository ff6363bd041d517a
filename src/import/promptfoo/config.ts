import path from 'node:path';
import { parseYamlSource, type SourceDocument } from '../../config/source.js';
import { UserError } from '../../errors.js';
import { displayPath, stemName } from '../names.js';
import { assayConfigFile, count, textFile, toYaml } from '../output.js';
import { readSourceText } from '../records.js';
import type { ImportOptions, ImportPlan } from '../types.js';
import { MODEL_GRADED } from './assertions.js';
import { fileRef, isRecord, PromptfooContext } from './context.js';
import { defaultGrader } from './graders.js';
import { convertPrompts } from './prompts.js';
import { convertProviders, type TargetOut } from './providers.js';
import { collectTests, type RawTest } from './test-files.js';
import { convertTests, type TaskOut } from './tests.js';

/** Top-level promptfoo settings that are not imported, with the reason. */
const NOT_IMPORTED: Record<string, string> = {
  scenarios: 'scenarios (tests crossed with var sets) are not imported; copy their vars into tests',
  extensions: 'extension hooks are not supported',
  derivedMetrics: 'derived metrics are not supported',
  nunjucksFilters:
    'custom Nunjucks filters are not imported; export them from one module and list it as `templates: { filters: <module> }` in assay.yaml (the built-in `load` filter needs nothing)',
  env: 'environment settings are not copied; put them in a .env file (env_files)',
  outputPath: 'every run is stored in the Assay database; export with `assay results --json`',
  sharing: 'sharing is not supported',
  redteam: 'red-team configuration is not supported',
  tracing: 'tracing is not supported',
  commandLineOptions: 'command-line defaults are not imported',
  writeLatestResults: 'every run is stored in the Assay database',
  metadata: 'config metadata is not imported',
  tags: 'config tags are not imported',
  assertionTemplates: 'assertion templates are not imported; inline them where they are used',
};
const HANDLED = new Set([
  'description',
  'prompts',
  'providers',
  'targets',
  'tests',
  'defaultTest',
  'evaluateOptions',
]);

function convertEvaluateOptions(
  value: unknown,
  doc: SourceDocument,
  context: PromptfooContext,
): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  if (!isRecord(value)) return defaults;
  for (const [key, setting] of Object.entries(value)) {
    const isCount =
      typeof setting === 'number' && Number.isInteger(setting) && setting >= 1 && setting <= 1000;
    if (key === 'maxConcurrency' && isCount) defaults.concurrency = setting;
    else if (key === 'repeat' && isCount) defaults.repeat = setting;
    else if (key === 'cache' && typeof setting === 'boolean') defaults.cache = setting;
    else
      context.skip(
        `evaluateOptions.${key}`,
        doc.locate(['evaluateOptions', key]),
        'no Assay counterpart (see `defaults` in docs/config.md)',
      );
  }
  return defaults;
}

/** An assay.yaml target: the bare id when nothing else is set. */
function targetEntry(target: TargetOut): string | TargetOut {
  return Object.keys(target).length === 1 ? target.id : target;
}

async function defaultTestOf(
  value: unknown,
  doc: SourceDocument,
  context: PromptfooContext,
): Promise<RawTest | undefined> {
  const ref = fileRef(value);
  if (ref !== undefined) {
    const inner = parseYamlSource(
      await context.readText(ref, doc.locate(['defaultTest'])),
      context.resolve(ref),
    );
    return isRecord(inner.value)
      ? { value: inner.value, where: inner.locate([]), locate: inner.locate }
      : undefined;
  }
  if (!isRecord(value)) return undefined;
  return {
    value,
    where: doc.locate(['defaultTest']),
    locate: (inner) => doc.locate(['defaultTest', ...inner]),
  };
}

/** Whether some chat-judged assertion has no grader of its own (assay.yaml's `grader:` then judges it). */
function needsDefaultGrader(tasks: TaskOut[]): boolean {
  return tasks.some((task) =>
    task.assert?.some(
      (assertion) => !assertion.grader && MODEL_GRADED.has(assertion.type.replace(/^not-/, '')),
    ),
  );
}

/**
 * A promptfoo config (promptfooconfig.yaml) → assay.yaml, prompt files and one task file. Every
 * setting, provider, test option and assertion that does not carry over is listed as skipped.
 */
export async function planPromptfoo(file: string, options: ImportOptions = {}): Promise<ImportPlan> {
  const absolute = path.resolve(file);
  const doc = parseYamlSource(await readSourceText(absolute, 'promptfoo config'), absolute);
  if (!isRecord(doc.value)) {
    throw new UserError(
      'a promptfoo config must be a mapping of settings',
      doc.locate([]),
      "see promptfoo's promptfooconfig.yaml format",
    );
  }
  const config = doc.value;
  // promptfoo picks its default grader by the keys set in the environment or the config's `env:`.
  const configEnv = isRecord(config.env) ? config.env : {};
  const env = {
    ...Object.fromEntries(Object.keys(configEnv).map((key) => [key, 'set'])),
    ...(options.env ?? process.env),
  };
  const context = new PromptfooContext(path.dirname(absolute), { ...options, env });
  context.inputs.add(absolute);
  for (const key of Object.keys(config)) {
    if (HANDLED.has(key) || key === '$schema') continue;
    context.skip(
      key,
      doc.locate([key]),
      NOT_IMPORTED[key] ?? `"${key}" is not a promptfoo setting Assay knows`,
    );
  }
  if (config.prompts === undefined) {
    throw new UserError('the promptfoo config has no prompts', doc.locate([]), 'add `prompts:`');
  }
  const { prompts, names } = await convertPrompts(config.prompts, doc, context);
  if (prompts.length === 0) {
    throw new UserError(
      `none of the prompts could be imported: ${context.skipped.map((skip) => `${skip.item}: ${skip.reason}`).join('; ')}`,
      doc.locate(['prompts']),
      'convert one prompt to text or a chat message list',
    );
  }
  const providerKey = config.providers !== undefined ? 'providers' : 'targets';
  if (config[providerKey] === undefined) {
    throw new UserError('the promptfoo config has no providers', doc.locate([]), 'add `providers:`');
  }
  const targets = await convertProviders(config[providerKey], doc, [providerKey], names, context);
  if (targets.length === 0)
    context.note('no provider could be imported: assay.yaml uses the echo target; add your models');
  const defaultTest = await defaultTestOf(config.defaultTest, doc, context);
  const tasks = await convertTests(await collectTests(config.tests, doc, context), defaultTest, context);
  const defaults = convertEvaluateOptions(config.evaluateOptions, doc, context);
  const grader = needsDefaultGrader(tasks) ? defaultGrader(context.env) : undefined;
  if (grader) {
    context.note(
      `model-graded assertions with no grader in the promptfoo config use promptfoo's default grader for this environment (${grader.reason}): \`grader: ${grader.id}\` in assay.yaml; change it there`,
    );
  }

  const source = displayPath(absolute);
  const tasksFile = `tasks/${stemName(absolute)}.yaml`;
  return {
    format: 'promptfoo',
    source,
    files: [
      assayConfigFile({
        format: 'promptfoo',
        source,
        ...(typeof config.description === 'string' ? { description: config.description } : {}),
        prompts: prompts.map((prompt) => prompt.file),
        targets: targets.length > 0 ? targets.map(targetEntry) : ['echo'],
        tasks: [tasksFile],
        ...(grader ? { grader: grader.id } : {}),
        defaults,
      }),
      ...prompts.map((prompt) =>
        textFile(prompt.file, prompt.content, prompt.file.endsWith('.yaml') ? 'chat prompt' : 'text prompt'),
      ),
      textFile(
        tasksFile,
        `# Imported from ${source} by \`assay import promptfoo\`.\n${toYaml(tasks)}`,
        count(tasks.length, 'task'),
      ),
    ],
    skipped: context.skipped,
    notes: context.notes,
    counts: { prompts: prompts.length, targets: Math.max(targets.length, 1), tasks: tasks.length },
    inputs: [...context.inputs],
  };
}
