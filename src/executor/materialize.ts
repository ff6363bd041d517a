import { UserError } from '../errors.js';
import { createPricer } from '../pricing/price.js';
import { MissingKeyError, missingKeysError } from '../providers/missing-key.js';
import type { Provider } from '../providers/provider.js';
import { createProvider } from '../providers/registry.js';
import type { Runtime } from '../runtime.js';
import type { Target } from '../types.js';
import type { TimeLimit } from '../user-code/time-limit.js';
import { UserCode } from '../user-code/user-code.js';
import type { TargetLane } from './answer.js';
import { buildLanes } from './lanes.js';
import { type RunPlan, verifyCode } from './run-plan.js';
import { Scoring } from './scoring.js';

/** What executing a plan needs beyond the plan itself: live providers, lanes, prepared scorers. */
export interface Materialized {
  lanes: Map<string, TargetLane>;
  /** Every target the run may call, by name. */
  targets: Map<string, Target>;
  scoring: Scoring;
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
  // Every missing API key is reported at once, not one per attempt.
  const missingKeys: MissingKeyError[] = [];
  for (const target of plan.callable) {
    try {
      providers.set(
        target.name,
        await createProvider(
          target.providerId,
          { options: target.options, config: target.config, env, baseDir: plan.baseDir },
          `target "${target.name}"`,
        ),
      );
    } catch (error) {
      if (!(error instanceof MissingKeyError)) throw error;
      missingKeys.push(error);
    }
  }
  if (missingKeys.length > 0) throw missingKeysError(missingKeys);
  let scoring = plan.prepared?.scoring;
  let userCode = plan.prepared?.userCode;
  if (!scoring || !userCode) {
    await verifyCode(plan);
    userCode = new UserCode(planTimeLimit(plan));
    const judges = new Set(Object.values(plan.graders));
    scoring = await Scoring.create({
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
    });
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
    scoring,
    judging: Object.keys(plan.graders).length > 0,
    userCode,
  };
}
