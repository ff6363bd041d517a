import { describeValue } from '../../scorers/text.js';
import { slug, UniqueNames } from '../names.js';
import { type AssertionOut, convertAssertion, EMBEDDING_GRADED, MODEL_GRADED } from './assertions.js';
import { fileRef, isGlob, isRecord, isStructured, type PromptfooContext } from './context.js';
import { DEFAULT_EMBEDDING_GRADER, type GraderChoice, graderChoice } from './graders.js';
import { type RawTest, SCRIPT } from './test-files.js';

/** An Assay task as written to the task file. */
export interface TaskOut {
  id: string;
  description?: string;
  vars: Record<string, unknown>;
  assert?: AssertionOut[];
  threshold?: number;
  metadata?: Record<string, unknown>;
}

const BINARY = /\.(png|jpe?g|gif|webp|bmp|pdf|mp3|wav|mp4)$/i;

const TEST_OPTION_REASONS: Record<string, string> = {
  transform: 'output transforms are not supported (assertions see the raw output)',
  postprocess: 'output transforms are not supported (assertions see the raw output)',
  transformVars: 'variable transforms are not supported',
  prefix: 'prompt prefixes are not supported; add the text to the prompt',
  suffix: 'prompt suffixes are not supported; add the text to the prompt',
  rubricPrompt: 'custom rubric prompts are not mapped; Assay uses its built-in judge prompt',
  storeOutputAs: 'chaining outputs between tests is not supported',
  runSerially: 'Assay decides the order; every task is independent',
};
const TEST_KEY_REASONS: Record<string, string> = {
  provider: 'per-test providers are not supported; Assay runs every task on every target',
  providerOutput: 'fixed provider outputs are not supported',
  assertScoringFunction: 'custom scoring functions are not supported; Assay uses the weighted mean',
};

/** What one test (or defaultTest) contributes to the tasks built from it. */
interface Layer {
  vars: Record<string, unknown>;
  assert: AssertionOut[];
  /** Assertions written, mapped or not (to tell "none written" from "none left"). */
  written: number;
  threshold?: number;
  metadata: Record<string, unknown>;
  grader: GraderChoice;
  disableVarExpansion: boolean;
  /** Vars read from a `file://` glob (a list of file texts). */
  globs: string[];
}

/**
 * The test's vars with `file://` values read. A glob (`file://articles/*`) becomes the list of its
 * files' texts, which var expansion turns into one task per file, as promptfoo does.
 */
async function convertVars(
  vars: unknown,
  owner: string,
  test: RawTest,
  context: PromptfooContext,
): Promise<{ vars: Record<string, unknown>; globs: string[] } | undefined> {
  let record = vars;
  const ref = fileRef(vars);
  if (ref !== undefined && isStructured(ref)) record = await context.readValue(ref, test.locate(['vars']));
  if (record === undefined) return { vars: {}, globs: [] };
  if (!isRecord(record)) {
    context.skip(owner, test.locate(['vars']), '"vars" must be a mapping of names to values');
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const globs: string[] = [];
  for (const [name, value] of Object.entries(record)) {
    const reference = fileRef(value);
    if (reference === undefined) {
      out[name] = value;
      continue;
    }
    const where = test.locate(['vars', name]);
    const texts: string[] = [];
    for (const file of await context.expand(reference, where)) {
      if (SCRIPT.test(file) || BINARY.test(file)) {
        context.skip(owner, where, `var "${name}" loads file://${file}; only text files are inlined`);
        return undefined;
      }
      texts.push(await context.readText(file, where));
    }
    if (isGlob(reference)) globs.push(name);
    out[name] = isGlob(reference) ? texts : texts[0];
  }
  return { vars: out, globs };
}

/** A test setting with a value of the wrong kind: what it must be. */
const SETTING_SHAPES: Record<string, string> = {
  threshold: 'a number from 0 to 1',
  metadata: 'a mapping of names to values',
  options: 'a mapping of options',
  assert: 'a list of assertions',
};

async function convertLayer(
  test: RawTest,
  owner: string,
  context: PromptfooContext,
): Promise<Layer | undefined> {
  const raw = test.value;
  const converted = await convertVars(raw.vars, owner, test, context);
  if (!converted) return undefined;
  const { vars, globs } = converted;
  const layer: Layer = {
    vars,
    assert: [],
    written: 0,
    metadata: {},
    grader: {},
    disableVarExpansion: false,
    globs,
  };
  for (const [key, value] of Object.entries(raw)) {
    const where = test.locate([key]);
    if (key === 'vars' || key === 'description') continue;
    if (key === 'assert' && Array.isArray(value)) {
      layer.written = value.length;
      for (const [index, assertion] of value.entries()) {
        const place = { owner, index, where: test.locate(['assert', index]) };
        const mapped = await convertAssertion(assertion, place, context);
        if (mapped) layer.assert.push(mapped);
      }
    } else if (key === 'threshold' && typeof value === 'number' && value >= 0 && value <= 1)
      layer.threshold = value;
    else if (key === 'metadata' && isRecord(value)) layer.metadata = value;
    else if (key === 'options' && isRecord(value)) {
      for (const [option, setting] of Object.entries(value)) {
        if (option === 'disableVarExpansion') layer.disableVarExpansion = setting === true;
        else if (option === 'provider') {
          const { choice, problem } = graderChoice(setting);
          layer.grader = choice;
          if (problem) context.skip(`${owner} options.provider`, test.locate(['options', option]), problem);
        } else {
          const reason = TEST_OPTION_REASONS[option] ?? `the test option "${option}" is not supported`;
          context.skip(`${owner} options.${option}`, test.locate(['options', option]), reason);
        }
      }
    } else if (key in SETTING_SHAPES) {
      context.skip(
        `${owner} ${key}`,
        where,
        `"${key}" must be ${SETTING_SHAPES[key]}, got ${describeValue(value)}; fix it and import again`,
      );
    } else {
      context.skip(
        `${owner} ${key}`,
        where,
        TEST_KEY_REASONS[key] ?? `the test setting "${key}" is not supported`,
      );
    }
  }
  return layer;
}

/**
 * An assertion with the judge promptfoo would give it: its own `provider`, else the test's, else
 * defaultTest's `options.provider`. A chat judge left unset falls to assay.yaml's `grader:` (see
 * config.ts); `similar` falls to promptfoo's default embedding model.
 */
function withGrader(assertion: AssertionOut, grader: GraderChoice, context: PromptfooContext): AssertionOut {
  if (assertion.grader) return assertion;
  const type = assertion.type.replace(/^not-/, '');
  if (MODEL_GRADED.has(type) && grader.text) return { ...assertion, grader: grader.text };
  if (type !== EMBEDDING_GRADED) return assertion;
  if (!grader.embedding && !context.notes.some((note) => note.startsWith(EMBEDDING_NOTE))) {
    context.note(
      `${EMBEDDING_NOTE} ${DEFAULT_EMBEDDING_GRADER} (promptfoo's default embedding model) as their grader`,
    );
  }
  return { ...assertion, grader: grader.embedding ?? DEFAULT_EMBEDDING_GRADER };
}

const EMBEDDING_NOTE = 'similar assertions with no embedding provider in the promptfoo config get';

/** Every combination of the values of array-valued vars, as promptfoo expands them. */
function expandVars(vars: Record<string, unknown>): Array<Record<string, unknown>> {
  let combinations: Array<Record<string, unknown>> = [{}];
  for (const [name, value] of Object.entries(vars)) {
    const values = Array.isArray(value) && value.length > 0 ? value : [value];
    combinations = combinations.flatMap((partial) => values.map((item) => ({ ...partial, [name]: item })));
  }
  return combinations;
}

const NO_DEFAULT: Layer = {
  vars: {},
  assert: [],
  written: 0,
  metadata: {},
  grader: {},
  disableVarExpansion: false,
  globs: [],
};

/**
 * Converts promptfoo tests to Assay tasks: defaultTest merged into each (vars, assertions first,
 * threshold, metadata, grader), array-valued vars expanded into one task per combination.
 */
export async function convertTests(
  tests: RawTest[],
  defaultTest: RawTest | undefined,
  context: PromptfooContext,
): Promise<TaskOut[]> {
  const base = defaultTest
    ? ((await convertLayer(defaultTest, 'defaultTest', context)) ?? NO_DEFAULT)
    : NO_DEFAULT;
  const tasks: TaskOut[] = [];
  const ids = new UniqueNames();
  for (const [index, test] of tests.entries()) {
    const description = typeof test.value.description === 'string' ? test.value.description : undefined;
    const owner = description ? `test "${description}"` : `test ${index + 1}`;
    const layer = await convertLayer(test, owner, context);
    if (!layer) continue;
    const globs = [...new Set([...base.globs, ...layer.globs])];
    const disabled = layer.disableVarExpansion || base.disableVarExpansion;
    if (disabled && globs.length > 0) {
      context.skip(
        owner,
        test.where,
        `var "${globs[0]}" is a file glob, which promptfoo expands into one test per file, but options.disableVarExpansion is set; remove one of them`,
      );
      continue;
    }
    const grader: GraderChoice = {
      text: layer.grader.text ?? base.grader.text,
      embedding: layer.grader.embedding ?? base.grader.embedding,
    };
    const assert = [...base.assert, ...layer.assert].map((assertion) =>
      withGrader(assertion, grader, context),
    );
    if (assert.length === 0 && base.written + layer.written > 0) {
      context.note(`${owner}: none of its assertions could be imported, so its task has none`);
    }
    const threshold = layer.threshold ?? base.threshold;
    const metadata = { ...base.metadata, ...layer.metadata };
    const vars = { ...base.vars, ...layer.vars };
    const combinations = disabled ? [vars] : expandVars(vars);
    const id = ids.take(description ? slug(description, 'test') : `test-${index + 1}`);
    if (combinations.length > 1) {
      const what =
        globs.length > 0 ? `file-glob vars (${globs.join(', ')}) and array-valued vars` : 'array-valued vars';
      context.note(
        `${owner}: ${what} expand to ${combinations.length} tasks (${id}-1 … ${id}-${combinations.length})`,
      );
    }
    combinations.forEach((combination, n) => {
      tasks.push({
        id: combinations.length > 1 ? ids.take(`${id}-${n + 1}`) : id,
        ...(description ? { description } : {}),
        vars: combination,
        ...(assert.length > 0 ? { assert } : {}),
        ...(threshold !== undefined ? { threshold } : {}),
        ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      });
    });
  }
  return tasks;
}
