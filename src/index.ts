/** Assay's public library API. Named re-exports only. */

export type { Cache, CachedResponse } from './cache/cache.js';
export { loadProject, type Project } from './config/load.js';
export { type AssayConfig, configJsonSchema, defineConfig } from './config/schema.js';
export {
  BudgetExceededError,
  CircuitOpenError,
  ProviderError,
  type ProviderErrorKind,
  UserError,
} from './errors.js';
export { type EventSink, RunEventBus, type RunEventName, type RunEvents } from './executor/events.js';
export { type ExecuteRequest, executePlan, type RunOutcome } from './executor/run.js';
export { type PlanItem, type RunPlan, readPlan, writePlan } from './executor/run-plan.js';
export { type MockServer, type MockServerOptions, startMockServer } from './mock/server.js';
export {
  defineProvider,
  type Provider,
  type ProviderContext,
  type ProviderFactory,
  type ProviderRequest,
  type ProviderResponse,
} from './providers/provider.js';
export { createProvider, parseProviderId, providerKinds } from './providers/registry.js';
export { type RetryPolicy, retryPolicy, withRetry } from './resilience/retry.js';
export { ciCheck } from './runs/ci-check.js';
export {
  type RetryOutcome,
  type RunControl,
  type RunDeps,
  resumeRun,
  retryRun,
  startRun,
} from './runs/execute.js';
export { type RunSelection, runOptionsFor } from './runs/options.js';
export { planRun } from './runs/plan.js';
export { createRuntime, type Runtime } from './runtime.js';
export { registerScorer } from './scorers/registry.js';
export { defineScorer, type ScoreInput, type Scorer, type ScoreVerdict } from './scorers/scorer.js';
export { SqliteStore } from './store/sqlite/sqlite-store.js';
export type { ResultQuery, Store } from './store/store.js';
export type * from './types.js';
export { VERSION } from './version.js';
