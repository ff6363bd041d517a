import path from 'node:path';
import type { Project } from '../config/load.js';
import { resolveGrader } from '../config/targets.js';
import { UserError } from '../errors.js';
import { prepareScoring } from '../executor/materialize.js';
import { datasetVersion, planItems } from '../executor/plan.js';
import { type CodeRef, codeRef, type RunPlan } from '../executor/run-plan.js';
import { limitTasks, selectTargets, selectTasks } from '../executor/select.js';
import { BUILTIN_FILTERS, loadTemplateFilters } from '../prompts/filters.js';
import { compilePrompt, type PromptRenderer } from '../prompts/render.js';
import type { Runtime } from '../runtime.js';
import type { RunFingerprint, RunOptions, Target, Task } from '../types.js';
import type { TimeLimit } from '../user-code/time-limit.js';
import { UserCode } from '../user-code/user-code.js';
import { parseDuration } from '../util/duration.js';
import { headCommit } from '../util/git.js';
import { VERSION } from '../version.js';

/** The tasks a run with these options covers: suite, filters, archive, then --first / --sample. */
export async function selectRunTasks(
  project: Project,
  options: RunOptions,
  archived: ReadonlySet<string>,
): Promise<Task[]> {
  const selected = await selectTasks(project, options.suite, options.filters);
  return limitTasks(
    archived.size > 0 ? selected.filter((task) => !archived.has(task.id)) : selected,
    options,
  );
}

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
 * Plans a run from the project's files: selects tasks and targets, prepares every scorer (so a bad
 * assertion fails here, exit 2), resolves judges, renders every prompt, and fingerprints the run.
 * Everything the user can get wrong is found before the first call.
 */
export async function planRun(request: PlanRequest): Promise<RunPlan> {
  const { project, options } = request;
  // A child process: let it run while we plan.
  const gitCommit =
    request.gitCommit !== undefined ? Promise.resolve(request.gitCommit) : headCommit(project.baseDir);
  const tasks = await selectRunTasks(project, options, request.archived ?? new Set());
  if (tasks.length === 0) {
    throw new UserError(
      'no tasks selected',
      options.suite ? `--suite ${options.suite}` : '--filter',
      'check the suite name and filters (`assay run --help`)',
    );
  }
  const targets = selectTargets(project.targets, options.targets);

  const limit = codeTimeLimit(project);
  const userCode = new UserCode(limit);
  const judges = new Map<string, Target>();
  const graders: Record<string, string> = {};
  const judgeVersions: Record<string, string> = {};
  const scorerFiles = project.config.scorers;
  const prepared = await prepareScoring({
    tasks,
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
  const items = (only?: ReadonlySet<string>) =>
    planItems(
      tasks,
      only ? targets.filter((target) => only.has(target.name)) : targets,
      options.repeat,
      renderers,
      options.repeatForced === true,
    );
  // Every prompt rendered once now, so a template error stops the run before anything is stored or
  // called; the items themselves are rendered again as the run reaches them, never all held at once.
  const targetStats: RunPlan['targetStats'] = {};
  let totalItems = 0;
  for (const item of items()) {
    totalItems++;
    const stats = targetStats[item.target.name] ?? { items: 0, promptChars: 0 };
    targetStats[item.target.name] = stats;
    stats.items++;
    for (const message of item.messages) stats.promptChars += message.content.length;
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
    datasetVersion: datasetVersion(tasks),
    promptVersions: Object.fromEntries(targets.map((target) => [target.prompt.name, target.prompt.version])),
    targetVersions: Object.fromEntries(targets.map((target) => [target.name, target.version])),
    scorerVersions: prepared.scorerVersions,
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
    prepared: { scorers: prepared.scorers, userCode },
  };
}
