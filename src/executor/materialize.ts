import { UserError } from '../errors.js';
import { createPricer } from '../pricing/price.js';
import type { Provider } from '../providers/provider.js';
import { createProvider } from '../providers/registry.js';
import type { Runtime } from '../runtime.js';
import { prepareTask, type TaskScorer } from '../scorers/aggregate.js';
import { loadCustomScorers } from '../scorers/custom.js';
import { ScorerRegistry } from '../scorers/registry.js';
import type { PrepareContext } from '../scorers/scorer.js';
import type { Target, Task } from '../types.js';
import type { TimeLimit } from '../user-code/time-limit.js';
import { UserCode } from '../user-code/user-code.js';
import type { TargetLane } from './answer.js';
import { buildLanes } from './lanes.js';
import { type RunPlan, verifyCode } from './run-plan.js';

export interface ScoringRequest extends Omit<PrepareContext, 'baseDir'> {
  tasks: Task[];
  baseDir: string;
  /** The config's `scorers:` modules (defineScorer), relative to baseDir. */
  scorerFiles: string[];
  /** Built-ins and anything registered in code. */
  registry: ScorerRegistry;
  /** Where `scorers:` is written, for messages. */
  where: string;
}

/**
 * Prepares every task's scorers: the registry's plus the config's modules, each assertion
 * validated (a UserError names the task and the fix). Judges are resolved through the context.
 */
export async function prepareScoring(
  request: ScoringRequest,
): Promise<{ scorers: Map<string, TaskScorer>; scorerVersions: Record<string, string> }> {
  const registry = new ScorerRegistry(request.registry.names().map((name) => request.registry.get(name)!));
  if (request.scorerFiles.length > 0) {
    try {
      await loadCustomScorers(request.scorerFiles, request.baseDir, registry);
    } catch (error) {
      if (error instanceof UserError && !error.location) {
        throw new UserError(error.message, request.where, error.hint, { cause: error });
      }
      throw error;
    }
  }
  const context: PrepareContext = {
    baseDir: request.baseDir,
    resolveGrader: request.resolveGrader,
    recordJudgePrompt: request.recordJudgePrompt,
    userCode: request.userCode,
  };
  const scorers = new Map<string, TaskScorer>();
  const names = new Set<string>();
  for (const task of request.tasks) {
    scorers.set(task.id, prepareTask(task, `task "${task.id}" (${task.source})`, registry, context));
    for (const assertion of task.assert) names.add(assertion.type.replace(/^not-/, ''));
  }
  return { scorers, scorerVersions: registry.versions(names) };
}

/** What executing a plan needs beyond the plan itself: live providers, lanes, prepared scorers. */
export interface Materialized {
  lanes: Map<string, TargetLane>;
  /** Every target the run may call, by name. */
  targets: Map<string, Target>;
  scorers: Map<string, TaskScorer>;
  /** Whether any assertion is model-graded (items then get a judge service). */
  judging: boolean;
  /** Runs the project's own code; closed by the executor when the run ends. */
  userCode: UserCode;
}

/** The time limit of one call of the project's own code, as the plan carries it. */
export function planTimeLimit(plan: Pick<RunPlan, 'settings'>): TimeLimit {
  return { ms: plan.settings.codeTimeoutMs, setting: plan.settings.codeTimeoutSetting };
}

/**
 * Builds what a plan's execution needs in this process: providers (keys from `env`), pricers,
 * provider lanes and the scorers. A plan from another process is first checked against this
 * process's copy of the user's code.
 */
export async function materialize(
  plan: RunPlan,
  runtime: Runtime,
  env: NodeJS.ProcessEnv,
  concurrency: number,
): Promise<Materialized> {
  const providers = new Map<string, Provider>();
  for (const target of plan.callable) {
    providers.set(
      target.name,
      await createProvider(
        target.providerId,
        { options: target.options, config: target.config, env, baseDir: plan.baseDir, http: runtime.http },
        `target "${target.name}"`,
      ),
    );
  }
  let scorers = plan.prepared?.scorers;
  let userCode = plan.prepared?.userCode;
  if (!scorers || !userCode) {
    await verifyCode(plan);
    userCode = new UserCode(planTimeLimit(plan));
    const judges = new Set(Object.values(plan.graders));
    scorers = (
      await prepareScoring({
        tasks: plan.tasks,
        baseDir: plan.baseDir,
        scorerFiles: plan.code.filter((ref) => ref.kind === 'scorers').map((ref) => ref.path),
        registry: runtime.scorers,
        where: 'run plan (scorers)',
        resolveGrader(grader, where) {
          const name = plan.graders[grader ?? ''];
          if (name === undefined || !judges.has(name))
            throw new UserError(`run plan has no judge for grader "${grader ?? ''}"`, where);
          return name;
        },
        recordJudgePrompt() {},
        userCode,
      })
    ).scorers;
  }
  const providerLanes = buildLanes(plan.callable, providers, concurrency);
  const lanes = new Map<string, TargetLane>();
  for (const target of plan.callable) {
    const provider = providers.get(target.name)!;
    lanes.set(target.name, {
      provider,
      pricer: await createPricer(
        provider.model,
        provider.pricingProvider,
        target.price,
        plan.settings.pricesMemoFile ? { memoFile: plan.settings.pricesMemoFile } : {},
      ),
      lane: providerLanes.get(target.name)!,
    });
  }
  return {
    lanes,
    targets: new Map(plan.callable.map((target) => [target.name, target])),
    scorers,
    judging: Object.keys(plan.graders).length > 0,
    userCode,
  };
}
