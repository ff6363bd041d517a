import path from 'node:path';
import type { Project } from '../config/load.js';
import { resolveGrader } from '../config/targets.js';
import { UserError } from '../errors.js';
import { createPricer } from '../pricing/price.js';
import { loadTemplateFilters } from '../prompts/filters.js';
import { compilePrompt, type PromptRenderer } from '../prompts/render.js';
import { MissingKeyError, missingKeysError } from '../providers/missing-key.js';
import type { Provider } from '../providers/provider.js';
import { createProvider } from '../providers/registry.js';
import { prepareTask, type TaskScorer } from '../scorers/aggregate.js';
import { loadCustomScorers } from '../scorers/custom.js';
import { defaultRegistry, ScorerRegistry } from '../scorers/registry.js';
import type { PrepareContext } from '../scorers/scorer.js';
import type { RunFingerprint, RunOptions, Target, Task } from '../types.js';
import { headCommit } from '../util/git.js';
import { VERSION } from '../version.js';
import type { TargetLane } from './execute-item.js';
import { buildLanes } from './lanes.js';
import { datasetVersion, type PlannedItem, planItems } from './plan.js';
import { limitTasks, selectTargets, selectTasks } from './select.js';

/** Everything validated and built before the first call: errors here are the user's, exit code 2. */
export interface PreparedRun {
  tasks: Task[];
  targets: Target[];
  /** Selected targets and their fallbacks, by name. */
  callable: Map<string, Target>;
  items: PlannedItem[];
  lanes: Map<string, TargetLane>;
  scorers: Map<string, TaskScorer>;
  /** Whether any assertion is model-graded (items then get a judge service). */
  judging: boolean;
  fingerprint: RunFingerprint;
}

/**
 * Prepares every task's scorers with a context that resolves judges: each distinct grader becomes
 * a target of its own (callable, with a lane) named `judge:<label or id>`.
 */
async function prepareScorers(project: Project, tasks: Task[]) {
  // Built-ins plus anything registered in code with registerScorer, then the config's modules.
  const registry = new ScorerRegistry(defaultRegistry.names().map((name) => defaultRegistry.get(name)!));
  if (project.config.scorers.length > 0) {
    try {
      await loadCustomScorers(project.config.scorers, project.baseDir, registry);
    } catch (error) {
      if (error instanceof UserError && !error.location) {
        throw new UserError(error.message, project.locate(['scorers']), error.hint, { cause: error });
      }
      throw error;
    }
  }
  const graders = new Map<string, Target>();
  const judgeVersions: Record<string, string> = {};
  const context: PrepareContext = {
    baseDir: project.baseDir,
    resolveGrader(grader, where) {
      const target = resolveGrader(project.config, grader, where, project.locate);
      graders.set(target.name, target);
      judgeVersions[target.name] = target.version;
      return target.name;
    },
    recordJudgePrompt(name, version) {
      judgeVersions[`prompt:${name}`] = version;
    },
  };
  const scorers = new Map<string, TaskScorer>();
  const scorerNames = new Set<string>();
  for (const task of tasks) {
    scorers.set(task.id, prepareTask(task, `task "${task.id}" (${task.source})`, registry, context));
    for (const assertion of task.assert) scorerNames.add(assertion.type.replace(/^not-/, ''));
  }
  return { scorers, graders, judgeVersions, scorerVersions: registry.versions(scorerNames) };
}

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

export async function prepareRun(
  project: Project,
  options: RunOptions,
  env: NodeJS.ProcessEnv,
  concurrency: number,
  /** Archived task ids (`assay tasks rm`): never run. */
  archived: ReadonlySet<string> = new Set(),
  commit?: string,
): Promise<PreparedRun> {
  // A child process: let it run while we prepare.
  const gitCommit = commit !== undefined ? Promise.resolve(commit) : headCommit(project.baseDir);
  const tasks = await selectRunTasks(project, options, archived);
  if (tasks.length === 0) {
    throw new UserError(
      'no tasks selected',
      options.suite ? `--suite ${options.suite}` : '--filter',
      'check the suite name and filters (`assay run --help`)',
    );
  }
  const targets = selectTargets(project.targets, options.targets);
  const { scorers, graders, judgeVersions, scorerVersions } = await prepareScorers(project, tasks);

  // Fallback targets need providers and lanes too, even when not selected to run themselves.
  const callable = new Map(targets.map((target) => [target.name, target]));
  for (let index = 0; index < callable.size; index++) {
    const target = [...callable.values()][index]!;
    for (const name of target.fallback ?? []) {
      if (!callable.has(name))
        callable.set(name, project.targets.find((candidate) => candidate.name === name)!);
    }
  }
  for (const grader of graders.values()) callable.set(grader.name, grader);
  const providers = new Map<string, Provider>();
  // Every missing API key is reported at once, not one per attempt.
  const missingKeys: Array<{ error: MissingKeyError; where: string }> = [];
  for (const target of callable.values()) {
    const where = `target "${target.name}"`;
    let provider: Provider;
    try {
      provider = await createProvider(
        target.providerId,
        { options: target.options, env, baseDir: project.baseDir },
        where,
      );
    } catch (error) {
      if (error instanceof MissingKeyError) {
        missingKeys.push({ error, where });
        continue;
      }
      if (error instanceof UserError && !error.location) {
        throw new UserError(error.message, `${project.locate(['targets'])} (${where})`, error.hint, {
          cause: error,
        });
      }
      throw error;
    }
    providers.set(target.name, provider);
  }
  if (missingKeys.length > 0) throw missingKeysError(missingKeys, project.locate(['targets']));
  const providerLanes = buildLanes([...callable.values()], providers, concurrency);
  const lanes = new Map<string, TargetLane>();
  for (const target of callable.values()) {
    const provider = providers.get(target.name)!;
    lanes.set(target.name, {
      provider,
      pricer: await createPricer(provider.model, provider.pricingProvider, target.price, {
        memoFile: path.join(path.dirname(project.databasePath), 'prices-memo.json'),
      }),
      lane: providerLanes.get(target.name)!,
    });
  }

  const filtersFile = project.config.templates?.filters;
  const filters = filtersFile
    ? await loadTemplateFilters(filtersFile, project.baseDir, project.locate(['templates', 'filters']))
    : {};
  const renderers = new Map<string, PromptRenderer>();
  for (const target of targets) {
    if (!renderers.has(target.prompt.name)) {
      const prompt = project.prompts.find((candidate) => candidate.name === target.prompt.name)!;
      renderers.set(prompt.name, compilePrompt(prompt, project.baseDir, filters));
    }
  }

  const items = planItems(
    tasks,
    targets,
    options.repeat,
    renderers,
    providers,
    options.repeatForced === true,
  );
  const fingerprint: RunFingerprint = {
    configHash: project.configHash,
    datasetVersion: datasetVersion(tasks),
    promptVersions: Object.fromEntries(targets.map((target) => [target.prompt.name, target.prompt.version])),
    targetVersions: Object.fromEntries(targets.map((target) => [target.name, target.version])),
    scorerVersions,
    ...(Object.keys(judgeVersions).length > 0 ? { judgeVersions } : {}),
    gitCommit: await gitCommit,
    assayVersion: VERSION,
  };
  return { tasks, targets, callable, items, lanes, scorers, judging: graders.size > 0, fingerprint };
}
