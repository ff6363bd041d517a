/**
 * Judge prompts: the built-in files in the package's `judges/` folder, or the user's own file named
 * by an assertion's `prompt:`. A prompt is a Nunjucks template, versioned by its content like any
 * prompt; preparing an assertion records that version for the run fingerprint.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import * as z from 'zod';
import { parseYamlSource } from '../../config/source.js';
import { validate } from '../../config/validate.js';
import { UserError } from '../../errors.js';
import type { LoadedPrompt } from '../../prompts/load.js';
import { compilePrompt, type PromptRenderer } from '../../prompts/render.js';
import type { AssertionSpec, ChatMessage } from '../../types.js';
import { contentHash } from '../../util/hash.js';
import { decodeText } from '../../util/text-files.js';
import type { PrepareContext } from '../scorer.js';
import { describeValue } from '../text.js';

/** The built-in judge prompts; resolves from `src/scorers/judge/` (tests) and `dist/scorers/judge/`. */
export const BUILTIN_JUDGES_DIR = fileURLToPath(new URL('../../../judges/', import.meta.url));

/** Prefix of a built-in judge prompt's name in the run fingerprint, e.g. `builtin:llm-rubric`. */
export const BUILTIN_PREFIX = 'builtin:';

const CHAT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const chatSchema = z
  .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }).strict())
  .min(1);

/** A compiled judge prompt. */
export interface JudgePrompt {
  /** `builtin:<scorer>` or the user's file path as written in the assertion. */
  name: string;
  /** Content hash of the file. */
  version: string;
  /** Renders the messages to send to the judge; a template error is a UserError naming the file. */
  render(variables: Record<string, unknown>, where: string): ChatMessage[];
}

/**
 * Compiled once per file content: prepare runs once per task, and tasks share their judge prompt.
 * Bounded, so a server running many configs does not keep every prompt it ever compiled.
 */
export const compiledJudgePrompts = new LRUCache<string, PromptRenderer>({ max: 64 });

/**
 * Loads the judge prompt of an assertion (its `prompt:` file, else the built-in `<builtin>.njk`),
 * records its version with `context`, and checks that it renders with `sample` (the variables known at
 * prepare, with placeholders for the rest) so a typo in a variable name fails before the run.
 */
export function loadJudgePrompt(
  builtin: string,
  spec: AssertionSpec,
  where: string,
  context: PrepareContext,
  sample: Record<string, unknown>,
): JudgePrompt {
  const prompt =
    spec.prompt === undefined ? builtinPrompt(builtin) : userPrompt(spec.prompt, where, context.baseDir);
  const key = `${prompt.path}\0${prompt.version}`;
  let renderer = compiledJudgePrompts.get(key);
  if (!renderer) {
    renderer = withJudgeHint(() => compilePrompt(prompt, prompt.baseDir), sample);
    compiledJudgePrompts.set(key, renderer);
  }
  const check = renderer;
  withJudgeHint(() => check(sample, where), sample);
  context.recordJudgePrompt(prompt.name, prompt.version);
  const render = renderer;
  return { name: prompt.name, version: prompt.version, render: (variables, at) => render(variables, at) };
}

interface SourcedPrompt extends LoadedPrompt {
  /** Directory the template's includes resolve against. */
  baseDir: string;
}

function builtinPrompt(builtin: string): SourcedPrompt {
  const file = path.join(BUILTIN_JUDGES_DIR, `${builtin}.njk`);
  const source = readFileSync(file, 'utf8');
  return {
    name: `${BUILTIN_PREFIX}${builtin}`,
    path: `judges/${builtin}.njk`,
    kind: 'text',
    source,
    version: contentHash(source),
    messages: [{ role: 'user', content: source }],
    baseDir: BUILTIN_JUDGES_DIR,
  };
}

/** A text file is one user message; a `.yaml`/`.json` file is a list of `{role, content}` messages. */
function userPrompt(value: unknown, where: string, baseDir: string): SourcedPrompt {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UserError(
      `"prompt" must be the path of a judge prompt file, got ${describeValue(value)}`,
      where,
      'write e.g. prompt: judges/strict-rubric.njk (relative to the config file)',
    );
  }
  const file = path.resolve(baseDir, value);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new UserError(
      `judge prompt file "${value}" ${missing ? 'does not exist' : `cannot be read: ${(error as Error).message}`}`,
      where,
      `create the file or fix the path (relative to ${baseDir})`,
      { cause: error },
    );
  }
  const source = decodeText(bytes, value, 'judge prompt file');
  const common = {
    name: value,
    path: value,
    source,
    version: contentHash(source),
    baseDir: path.dirname(file),
  };
  if (!CHAT_EXTENSIONS.has(path.extname(file).toLowerCase())) {
    return { ...common, kind: 'text', messages: [{ role: 'user', content: source }] };
  }
  const doc = parseYamlSource(source, file);
  const messages = validate(
    chatSchema,
    doc.value,
    doc.locate,
    'judge prompt (a list of {role, content} messages)',
  );
  return { ...common, kind: 'chat', messages };
}

/** Template errors name the file; say which variables a judge prompt has (not the task prompt's). */
function withJudgeHint<T>(action: () => T, sample: Record<string, unknown>): T {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const names = Object.keys(sample).sort().join(', ');
    throw new UserError(
      `judge prompt: ${error.message}`,
      error.location,
      `${error.hint === 'fix the template syntax' ? 'fix the template syntax; ' : ''}a judge prompt can use ${names} (task variables as vars.<name>)`,
      { cause: error },
    );
  }
}

/** The task's rendered prompt as one text: what the judge sees as the question. */
export function promptText(messages: readonly ChatMessage[]): string {
  return messages.map((message) => message.content).join('\n\n');
}
