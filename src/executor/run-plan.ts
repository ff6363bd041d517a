import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { interpolateEnv } from '../config/env.js';
import { UserError } from '../errors.js';
import type { ChatMessage, PromptTemplate, RunFingerprint, RunOptions, Target, Task } from '../types.js';
import type { UserCode } from '../user-code/user-code.js';
import { sha256 } from '../util/hash.js';
import type { Scoring } from './scoring.js';

/** A file of the user's code a run depends on, by content: a process can tell whether it has it. */
export interface CodeRef {
  kind: 'scorers' | 'filters' | 'provider';
  /** Absolute path at planning time. */
  path: string;
  /** sha256 of the file's bytes; null when the file was missing at planning time. */
  sha256: string | null;
}

/** One unit of work: a task version × target × repeat, with the messages to send. */
export interface PlanItem {
  id: string;
  task: Task;
  target: Target;
  repeat: number;
  messages: ChatMessage[];
}

/** What a run needs from its settings, resolved at planning time. */
export interface PlanSettings {
  retries: number;
  itemTimeoutMs: number;
  cacheTtlMs: number;
  /** USD caps: the run's own (`--max-cost` or `budget.run_usd`) and the day's. */
  budget: { runUsd?: number; dailyUsd?: number };
  /** Where looked-up model prices are remembered between runs; null to keep none. */
  pricesMemoFile: string | null;
  /** Time limit of one call of the project's own code (`defaults.code_timeout`), and where it is set. */
  codeTimeoutMs: number;
  codeTimeoutSetting: string;
}

/** The scorers set up while planning, reused when the same process executes the plan. */
export interface PreparedScoring {
  scoring: Scoring;
  /** What runs their code (and the plan's template filters). */
  userCode: UserCode;
}

/**
 * A run, fully described before anything is called: options, fingerprint, the tasks, targets as
 * written (environment references, never their values), judges, settings, the code it relies on by
 * hash, and its work items as a stream. `writePlan` / `readPlan` take it through JSON lines, so a
 * process with no checkout of the project can execute it.
 */
export interface RunPlan {
  options: RunOptions;
  fingerprint: RunFingerprint;
  configPath: string;
  /** Relative paths of the user's files (file: providers, judge prompts) resolve against this. */
  baseDir: string;
  /** How many tasks the run covers. */
  taskCount: number;
  /** The tasks the run covers, in plan order, read one batch at a time; each call starts again. */
  tasks(): AsyncIterable<Task>;
  prompts: PromptTemplate[];
  /** Targets selected to run. */
  targets: Target[];
  /** Targets the run may call: the selected ones, their fallbacks and the judges. */
  callable: Target[];
  /** Judge of each grader spec (`grader:` of an assertion, '' for the config's), by target name. */
  graders: Record<string, string>;
  code: CodeRef[];
  settings: PlanSettings;
  /** How many work items `items()` yields. */
  totalItems: number;
  /** Per target: its items and the characters of their prompts (the run's projected cost comes from these). */
  targetStats: Record<string, { items: number; promptChars: number }>;
  /**
   * The work items in plan order (only those of these targets, when given), produced one at a time;
   * each call starts again from the first.
   */
  items(targets?: ReadonlySet<string>): AsyncIterable<PlanItem>;
  /** Set by the planner for its own process; never serialised. */
  prepared?: PreparedScoring;
}

const FORMAT = 'assay-run-plan/1';

/** A target as it travels in a plan: its config and options as written, never a secret's value. */
function writtenTarget(target: Target): Omit<Target, 'written'> {
  const { written, ...rest } = target;
  if (!written) return rest;
  const literal = JSON.stringify(written.options).includes('"(secret)"');
  if (literal) {
    throw new UserError(
      `target "${target.name}" has a credential written literally in its headers`,
      'assay.yaml',
      'write it as ${VAR} and set VAR in the environment, so the plan can travel without it',
    );
  }
  return { ...rest, config: written.config, options: written.options };
}

/**
 * The plan as JSON lines: a header, one line per task, then one line per work item (its task and
 * target by name).
 */
export async function* writePlan(plan: RunPlan): AsyncGenerator<string> {
  const header = {
    format: FORMAT,
    options: plan.options,
    fingerprint: plan.fingerprint,
    configPath: plan.configPath,
    baseDir: plan.baseDir,
    taskCount: plan.taskCount,
    prompts: plan.prompts,
    targets: plan.targets.map((target) => target.name),
    callable: plan.callable.map(writtenTarget),
    graders: plan.graders,
    code: plan.code,
    settings: plan.settings,
    totalItems: plan.totalItems,
    targetStats: plan.targetStats,
  };
  yield `${JSON.stringify(header)}\n`;
  for await (const task of plan.tasks()) yield `${JSON.stringify(['task', task])}\n`;
  for await (const item of plan.items()) {
    yield `${JSON.stringify(['item', item.id, item.task.id, item.task.version, item.target.name, item.repeat, item.messages])}\n`;
  }
}

type Header = Omit<RunPlan, 'items' | 'tasks' | 'targets' | 'callable' | 'prepared'> & {
  format: string;
  targets: string[];
  callable: Target[];
};

/**
 * Reads a plan written by `writePlan`. Environment references in targets are resolved from `env`
 * (this process's secrets); a missing variable is a UserError naming it.
 */
export function readPlan(text: readonly string[], env: NodeJS.ProcessEnv): RunPlan {
  const [first, ...rest] = text.filter((line) => line.trim() !== '');
  const header = JSON.parse(first ?? 'null') as Header | null;
  if (header?.format !== FORMAT) {
    throw new UserError(
      `not a run plan (expected format ${FORMAT})`,
      undefined,
      'pass a file written by writePlan',
    );
  }
  const callable = header.callable.map((target) => resolveTarget(target, env));
  const byName = new Map(callable.map((target) => [target.name, target]));
  const lines = rest.map((line) => JSON.parse(line) as PlanLine);
  const taskList: Task[] = [];
  for (const line of lines) if (line[0] === 'task') taskList.push(line[1]);
  const tasks = new Map(taskList.map((task) => [`${task.id}\0${task.version}`, task]));
  const items: PlanItem[] = lines.flatMap((line) => {
    if (line[0] !== 'item') return [];
    const [, id, taskId, taskVersion, targetName, repeat, messages] = line;
    const task = tasks.get(`${taskId}\0${taskVersion}`);
    const target = byName.get(targetName);
    if (!task || !target) throw new UserError(`run plan item ${id} names an unknown task or target`);
    return [{ id, task, target, repeat, messages }];
  });
  if (items.length !== header.totalItems) {
    throw new UserError(`run plan is cut short: ${items.length} of ${header.totalItems} items`);
  }
  const { format: _format, targets, callable: _callable, ...plain } = header;
  return {
    ...plain,
    targets: targets.map((name) => byName.get(name)!),
    callable,
    tasks: () => fromArray(taskList),
    items: (only) => fromArray(only ? items.filter((item) => only.has(item.target.name)) : items),
  };
}

type PlanLine =
  | [kind: 'task', task: Task]
  | [
      kind: 'item',
      id: string,
      taskId: string,
      taskVersion: string,
      target: string,
      repeat: number,
      messages: ChatMessage[],
    ];

async function* fromArray<T>(values: readonly T[]): AsyncGenerator<T> {
  yield* values;
}

/** A target read from a plan: `${VAR}` references resolved from this process's environment. */
function resolveTarget(target: Target, env: NodeJS.ProcessEnv): Target {
  const where = (fieldPath: ReadonlyArray<PropertyKey>) =>
    `run plan, target "${target.name}" (${fieldPath.map(String).join('.')})`;
  const config = interpolateEnv(target.config, env, where) as Target['config'];
  const options = interpolateEnv(target.options, env, where) as Target['options'];
  const changed = JSON.stringify([config, options]) !== JSON.stringify([target.config, target.options]);
  return {
    ...target,
    config,
    options,
    ...(changed ? { written: { config: target.config, options: target.options } } : {}),
  };
}

/**
 * Checks that this process has the user's code the plan was made with (same bytes), so a
 * worker without the checkout fails with a clear message instead of running other code.
 */
export async function verifyCode(plan: Pick<RunPlan, 'code'>): Promise<void> {
  for (const ref of plan.code) {
    const found = await readFile(ref.path).then(
      (bytes) => sha256(bytes),
      () => null,
    );
    if (found !== ref.sha256) {
      throw new UserError(
        found === null
          ? `this process does not have ${ref.kind} code the run plan needs: ${ref.path}`
          : `${ref.kind} code at ${ref.path} differs from the run plan's (sha256 ${found.slice(0, 12)}, plan ${ref.sha256?.slice(0, 12) ?? 'missing'})`,
        undefined,
        'run the plan where the project checkout is at the commit it was planned from',
      );
    }
  }
}

/** Hashes one code file for a plan. */
export async function codeRef(kind: CodeRef['kind'], file: string, baseDir: string): Promise<CodeRef> {
  const full = path.resolve(baseDir, file);
  return {
    kind,
    path: full,
    sha256: await readFile(full).then(
      (bytes) => sha256(bytes),
      () => null,
    ),
  };
}
