import path from 'node:path';
import type { Project } from '../config/load.js';
import { resolveGrader } from '../config/targets.js';
import { uniqueIds } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { DatasetVersion, taskItems } from '../executor/plan.js';
import { type CodeRef, codeRef, type PlanItem, type RunPlan } from '../executor/run-plan.js';
import { Scoring } from '../executor/scoring.js';
import { selectTargets, taskFilter } from '../executor/select.js';
import { BUILTIN_FILTERS, loadTemplateFilters } from '../prompts/filters.js';
import { compilePrompt, type PromptRenderer } from '../prompts/render.js';
import type { Runtime } from '../runtime.js';
import { createRng, sampleIndices } from '../stats/random.js';
import type { RunFingerprint, RunOptions, Target, Task } from '../types.js';
import type { TimeLimit } from '../user-code/time-limit.js';
import { UserCode } from '../user-code/user-code.js';
import { parseDuration } from '../util/duration.js';
import { headCommit } from '../util/git.js';
import { VERSION } from '../version.js';

/** `defaults.code_timeout`, the time limit of one call of the project's own code. */
export function codeTimeLimit(project: Project): TimeLimit {
  const where = project.locate(['defaults', 'code_timeout']);
  const ms = Math.ceil(parseDuration(project.config.defaults.code_timeout, where));
  if (ms < 1) {
    throw new UserError(
      'defaults.code_timeout must be more than 0',
      where,
      'give user code a time limit such as code_timeout: 5s',
    );
  }
  return { ms, setting: `defaults.code_timeout in ${path.basename(project.configPath)}` };
}

export interface PlanRequest {
  project: Project;
  options: RunOptions;
  runtime: Runtime;
  /** Archived task ids (`assay tasks rm`): never run. */
  archived?: ReadonlySet<string>;
  /** The commit the run's files come from, when not the checkout's HEAD (a computed baseline). */
  gitCommit?: string;
  /** USD cap for this run (`--max-cost`); overrides `budget.run_usd`. */
  maxCostUsd?: number;
}

/** Selected targets, then their fallbacks (transitively), then the judges: everything a run may call. */
function callableTargets(selected: Target[], all: Target[], judges: Iterable<Target>): Target[] {
  const callable = new Map(selected.map((target) => [target.name, target]));
  for (const target of callable.values()) {
    for (const name of target.fallback ?? []) {
      if (!callable.has(name)) callable.set(name, all.find((candidate) => candidate.name === name)!);
    }
  }
  for (const judge of judges) callable.set(judge.name, judge);
  return [...callable.values()];
}

/**
 * Which source tasks a run covers: suite, filters and archive, then `--first N` or `--sample N`.
 * Decided once (a sample needs the count of matching tasks); each call gives a fresh filter for one
 * pass over the source, which selects the same tasks every time.
 */
async function taskSelection(
  project: Project,
  options: RunOptions,
  archived: ReadonlySet<string>,
): Promise<() => (task: Task, file: string | null) => boolean> {
  const keep = await taskFilter(project, options.suite, options.filters);
  const matches = (task: Task, file: string | null) => !archived.has(task.id) && keep(task, file);
  let sampled: Set<number> | undefined;
  if (options.sample !== undefined) {
    let count = 0;
    for await (const batch of project.taskSource.batches()) {
      for (const { task, file } of batch) if (matches(task, file)) count++;
    }
    const { size, seed } = options.sample;
    if (size < count) sampled = new Set(sampleIndices(count, size, createRng(seed)));
  }
  const first = options.first;
  return () => {
    let position = 0;
    return (task, file) => {
      if (!matches(task, file)) return false;
      const at = position++;
      if (first !== undefined) return at < first;
      return sampled === undefined || sampled.has(at);
    };
  };
}

/**
 * Plans a run from the project's files: selects tasks and targets, prepares every task's scorers
 * (so a bad assertion fails here, exit 2), resolves judges, renders every prompt once, counts the
 * items and fingerprints the run, streaming the tasks: nothing per task is kept. Everything the user
 * can get wrong is found before the first call.
 */
export async function planRun(request: PlanRequest): Promise<RunPlan> {
  const { project, options } = request;
  // A child process: let it run while we plan.
  const gitCommit =
    request.gitCommit !== undefined ? Promise.resolve(request.gitCommit) : headCommit(project.baseDir);
  const targets = selectTargets(project.targets, options.targets);
  const selection = await taskSelection(project, options, request.archived ?? new Set());

  const limit = codeTimeLimit(project);
  const userCode = new UserCode(limit);
  const judges = new Map<string, Target>();
  const graders: Record<string, string> = {};
  const judgeVersions: Record<string, string> = {};
  const scorerFiles = project.config.scorers;
  const scoring = await Scoring.create({
    baseDir: project.baseDir,
    scorerFiles,
    registry: request.runtime.scorers,
    where: project.locate(['scorers']),
    resolveGrader(grader, where) {
      const judge = resolveGrader(project.config, grader, where, project.locate, project.written);
      judges.set(judge.name, judge);
      graders[grader ?? ''] = judge.name;
      judgeVersions[judge.name] = judge.version;
      return judge.name;
    },
    recordJudgePrompt(name, version) {
      judgeVersions[`prompt:${name}`] = version;
    },
    userCode,
  });

  const filtersFile = project.config.templates?.filters;
  const filters = {
    ...BUILTIN_FILTERS,
    ...(filtersFile
      ? await loadTemplateFilters(filtersFile, project.baseDir, project.locate(['templates', 'filters']))
      : {}),
  };
  const renderers = new Map<string, PromptRenderer>();
  for (const target of targets) {
    if (!renderers.has(target.prompt.name)) {
      const prompt = project.prompts.find((candidate) => candidate.name === target.prompt.name)!;
      renderers.set(prompt.name, compilePrompt(prompt, project.baseDir, filters, limit));
    }
  }
  const forced = options.repeatForced === true;
  async function* tasks(): AsyncGenerator<Task> {
    const accept = selection();
    for await (const batch of project.taskSource.batches()) {
      for (const { task, file } of batch) if (accept(task, file)) yield task;
    }
  }
  async function* items(only?: ReadonlySet<string>): AsyncGenerator<PlanItem> {
    const some = only ? targets.filter((target) => only.has(target.name)) : targets;
    for await (const task of tasks()) yield* taskItems(task, some, options.repeat, renderers, forced);
  }

  // One pass over every task now, keeping nothing per task: ids unique, each selected task's
  // scorers prepared and its prompts rendered (a bad assertion or template stops the run before
  // anything is stored or called), items counted per target, the dataset version hashed. The run
  // reads the tasks again as it reaches them.
  const unique = uniqueIds();
  const accept = selection();
  const dataset = new DatasetVersion();
  const targetStats: RunPlan['targetStats'] = {};
  let taskCount = 0;
  let totalItems = 0;
  for await (const batch of project.taskSource.batches()) {
    for (const { task, file } of batch) {
      await unique(task, () => project.taskSource.batches());
      if (!accept(task, file)) continue;
      taskCount++;
      dataset.add(task);
      scoring.for(task);
      for (const item of taskItems(task, targets, options.repeat, renderers, forced)) {
        totalItems++;
        const stats = targetStats[item.target.name] ?? { items: 0, promptChars: 0 };
        targetStats[item.target.name] = stats;
        stats.items++;
        for (const message of item.messages) stats.promptChars += message.content.length;
      }
    }
  }
  if (taskCount === 0) {
    throw new UserError(
      'no tasks selected',
      options.suite ? `--suite ${options.suite}` : '--filter',
      'check the suite name and filters (`assay run --help`)',
    );
  }

  const code: CodeRef[] = [];
  for (const file of scorerFiles) code.push(await codeRef('scorers', file, project.baseDir));
  if (filtersFile) code.push(await codeRef('filters', filtersFile, project.baseDir));
  const callable = callableTargets(targets, project.targets, judges.values());
  for (const target of callable) {
    if (target.providerId.startsWith('file:'))
      code.push(await codeRef('provider', target.providerId.slice('file:'.length), project.baseDir));
  }

  const fingerprint: RunFingerprint = {
    configHash: project.configHash,
    datasetVersion: dataset.digest(),
    promptVersions: Object.fromEntries(targets.map((target) => [target.prompt.name, target.prompt.version])),
    targetVersions: Object.fromEntries(targets.map((target) => [target.name, target.version])),
    scorerVersions: scoring.versions(),
    ...(Object.keys(judgeVersions).length > 0 ? { judgeVersions } : {}),
    gitCommit: await gitCommit,
    assayVersion: VERSION,
  };
  const { config } = project;
  const runUsd = request.maxCostUsd ?? config.budget?.run_usd;
  return {
    options,
    fingerprint,
    configPath: project.configPath,
    baseDir: project.baseDir,
    taskCount,
    tasks,
    prompts: project.prompts,
    targets,
    callable,
    graders,
    code,
    settings: {
      retries: config.defaults.retries,
      itemTimeoutMs: parseDuration(
        config.defaults.item_timeout,
        project.locate(['defaults', 'item_timeout']),
      ),
      cacheTtlMs: parseDuration(config.defaults.cache_ttl, project.locate(['defaults', 'cache_ttl'])),
      budget: {
        ...(runUsd !== undefined ? { runUsd } : {}),
        ...(config.budget?.daily_usd !== undefined ? { dailyUsd: config.budget.daily_usd } : {}),
      },
      pricesMemoFile: path.join(project.stateDir, 'prices-memo.json'),
      codeTimeoutMs: limit.ms,
      codeTimeoutSetting: limit.setting,
    },
    totalItems,
    targetStats,
    items,
    prepared: { scoring, userCode },
  };
}
