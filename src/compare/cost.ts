import type { ItemResult } from '../types.js';
import type { AlignedPair } from './align.js';

/** What one run's aligned items cost. */
export interface SideCost {
  /** Sum of the known costs; null when none is known but some are unknown. */
  totalUsd: number | null;
  /** totalUsd over the items whose cost is known. */
  perItemUsd: number | null;
  /** Answered items without a known price. */
  unknown: number;
}

export interface CostComparison {
  a: SideCost;
  b: SideCost;
  deltaTotalUsd: number | null;
  deltaPerItemUsd: number | null;
}

/** Latency of the aligned items that made a real call (cache hits and errors left out). */
export interface SideLatency {
  calls: number;
  meanMs: number | null;
  totalMs: number;
}

export interface LatencyComparison {
  a: SideLatency;
  b: SideLatency;
  deltaMeanMs: number | null;
  deltaTotalMs: number;
}

/**
 * Cost of each side's aligned items, judges included. A cache hit counts at what its answer first
 * cost: a re-run served from the cache is not a cheaper model. An error that made no call costs 0.
 */
export function compareCost(pairs: readonly AlignedPair[]): CostComparison {
  const a = sideCost(pairs.map((pair) => pair.a));
  const b = sideCost(pairs.map((pair) => pair.b));
  return {
    a,
    b,
    deltaTotalUsd: difference(a.totalUsd, b.totalUsd),
    deltaPerItemUsd: difference(a.perItemUsd, b.perItemUsd),
  };
}

export function compareLatency(pairs: readonly AlignedPair[]): LatencyComparison {
  const a = sideLatency(pairs.map((pair) => pair.a));
  const b = sideLatency(pairs.map((pair) => pair.b));
  return { a, b, deltaMeanMs: difference(a.meanMs, b.meanMs), deltaTotalMs: b.totalMs - a.totalMs };
}

/**
 * The list price of one item's answer, or undefined when unknown. Judge calls are left out: an
 * identical judge request is paid by whichever item asks first and is a cache hit for the rest,
 * so per-target judge costs move between runs without any change in the targets.
 */
export function itemCostUsd(result: ItemResult): number | undefined {
  if (result.cached) return result.savedUsd ?? result.costUsd ?? 0;
  if (result.costUsd === null) return result.status === 'error' ? 0 : undefined;
  return result.costUsd;
}

function sideCost(results: readonly ItemResult[]): SideCost {
  let total = 0;
  let known = 0;
  let unknown = 0;
  for (const result of results) {
    const cost = itemCostUsd(result);
    if (cost === undefined || !Number.isFinite(cost)) unknown++;
    else {
      total += cost;
      known++;
    }
  }
  if (known === 0) return { totalUsd: unknown > 0 ? null : 0, perItemUsd: null, unknown };
  return { totalUsd: total, perItemUsd: total / known, unknown };
}

function sideLatency(results: readonly ItemResult[]): SideLatency {
  let total = 0;
  let calls = 0;
  for (const result of results) {
    if (result.cached || result.status === 'error') continue;
    total += result.latencyMs;
    calls++;
  }
  return { calls, meanMs: calls === 0 ? null : total / calls, totalMs: total };
}

function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : b - a;
}
