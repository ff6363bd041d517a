import type { ProviderError } from '../errors.js';
import type { Provider } from '../providers/provider.js';
import { type Admission, LocalAdmission } from '../resilience/admission.js';
import { type BreakerState, CircuitBreaker } from '../resilience/circuit-breaker.js';
import { AdaptiveRateLimiter } from '../resilience/rate-limiter.js';
import type { Target } from '../types.js';

/**
 * A provider lane: one endpoint × model × credential. Its calls share a rate limiter and a
 * concurrency cap; a quota error stops the whole lane for the rest of the run.
 */
export interface Lane {
  key: string;
  /** When a call may go (rate limits learned and configured). */
  admission: Admission;
  /** Calls in flight at once in this lane. */
  concurrency: number;
  /** Set by the first quota error; later items fail at once with this reason. */
  stopped: ProviderError | null;
  /** Opens after repeated server errors or timeouts; then calls fail fast or go to a fallback. */
  breaker: BreakerState;
}

function laneKey(provider: Provider, target: Target): string {
  return `${provider.cacheScope()}\0${provider.model}\0${String(target.options.api_key_env ?? '')}`;
}

function smallest(values: Array<number | undefined>): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length ? Math.min(...known) : undefined;
}

/** Groups targets into lanes; targets sharing a lane share its limits (the smallest configured wins). */
export function buildLanes(
  targets: Target[],
  providers: Map<string, Provider>,
  globalConcurrency: number,
): Map<string, Lane> {
  const members = new Map<string, Target[]>();
  for (const target of targets) {
    const key = laneKey(providers.get(target.name)!, target);
    members.set(key, [...(members.get(key) ?? []), target]);
  }
  const byTarget = new Map<string, Lane>();
  for (const [key, group] of members) {
    const rpm = smallest(group.map((target) => target.rateLimit?.rpm));
    const tpm = smallest(group.map((target) => target.rateLimit?.tpm));
    const itpm = smallest(group.map((target) => target.rateLimit?.itpm));
    const otpm = smallest(group.map((target) => target.rateLimit?.otpm));
    const lane: Lane = {
      key,
      admission: new LocalAdmission(
        new AdaptiveRateLimiter({
          ...(rpm ? { rpm } : {}),
          ...(tpm ? { tpm } : {}),
          ...(itpm ? { itpm } : {}),
          ...(otpm ? { otpm } : {}),
        }),
      ),
      concurrency: Math.min(
        globalConcurrency,
        smallest(group.map((target) => target.rateLimit?.concurrency)) ?? globalConcurrency,
      ),
      stopped: null,
      breaker: new CircuitBreaker(),
    };
    for (const target of group) byTarget.set(target.name, lane);
  }
  return byTarget;
}
