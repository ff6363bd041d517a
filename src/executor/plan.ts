import { createHash } from 'node:crypto';
import type { CachedResponse } from '../cache/cache.js';
import type { PromptRenderer } from '../prompts/render.js';
import type { Provider, ProviderResponse } from '../providers/provider.js';
import type { ChatMessage, Target, Task } from '../types.js';
import { canonicalJson, sha256 } from '../util/hash.js';
import type { PlanItem } from './run-plan.js';

/** A work item being executed: its plan item and the cache key its request has with this provider. */
export interface PlannedItem extends PlanItem {
  cacheKey: string;
  /** The cache's answer looked up with the item's window: an entry, null for a miss, absent when not looked up. */
  prefetched?: CachedResponse | null;
  /** How to call the provider, when not a chat completion of `messages` (judge embeddings). */
  invoke?: (provider: Provider, signal: AbortSignal) => Promise<ProviderResponse>;
}

/** Deterministic work-item id: the same task version × target version × repeat always gets the same id. */
export function workItemId(task: Task, target: Target, repeat: number): string {
  return sha256(`${task.id}\0${task.version}\0${target.name}\0${target.version}\0${repeat}`, 24);
}

/**
 * Everything about a target that shapes its requests, apart from the messages: the provider's
 * endpoint, the generation config and every option (base URL with its query, headers, provider
 * options). Option values may be secrets taken from the environment; they only ever enter a hash.
 */
export function requestShape(provider: Provider, target: Target, withConfig = true): string {
  return canonicalJson({
    scope: provider.cacheScope(),
    provider: provider.id,
    options: target.options,
    ...(withConfig ? { config: target.config } : {}),
  });
}

/** The per-target part of a cache key, computed once per target rather than once per item. */
const keyPrefixes = new WeakMap<Provider, WeakMap<Target, string>>();
function cacheKeyPrefix(provider: Provider, target: Target): string {
  let byTarget = keyPrefixes.get(provider);
  if (!byTarget) {
    byTarget = new WeakMap();
    keyPrefixes.set(provider, byTarget);
  }
  let prefix = byTarget.get(target);
  if (prefix === undefined) {
    prefix = requestShape(provider, target);
    byTarget.set(target, prefix);
  }
  return prefix;
}

/**
 * Cache key, and the key under which identical calls in flight are shared: what was sent and how
 * (`requestShape`). Repeats share an answer only when sampling is off (temperature 0). The key is a
 * hash, so the secrets among the options are never stored.
 */
export function cacheKey(
  provider: Provider,
  target: Target,
  messages: ChatMessage[],
  repeat: number,
): string {
  const sampling = target.config.temperature !== 0;
  // Messages are built by the renderer with a fixed key order, so plain JSON is canonical here.
  return sha256(`${cacheKeyPrefix(provider, target)}\0${JSON.stringify(messages)}\0${sampling ? repeat : 0}`);
}

/**
 * One task's work items: × targets × repeats, rendering each prompt once for the task (targets
 * sharing a prompt share its rendering). A task's own `repeat` wins over `repeat` unless `forced`
 * (`--repeat` on the command line).
 */
export function* taskItems(
  task: Task,
  targets: readonly Target[],
  repeat: number,
  renderers: Map<string, PromptRenderer>,
  forced = false,
): Generator<PlanItem> {
  const rendered = new Map<string, ChatMessage[]>();
  for (const target of targets) {
    let messages = rendered.get(target.prompt.name);
    if (!messages) {
      messages = renderers.get(target.prompt.name)!(task.vars, `task "${task.id}" (${task.source})`);
      rendered.set(target.prompt.name, messages);
    }
    const times = forced ? repeat : (task.repeat ?? repeat);
    for (let index = 0; index < times; index++) {
      yield { id: workItemId(task, target, index), task, target, repeat: index, messages };
    }
  }
}

/** Every task's work items in turn (see `taskItems`), one item at a time. */
export function* planItems(
  tasks: Iterable<Task>,
  targets: readonly Target[],
  repeat: number,
  renderers: Map<string, PromptRenderer>,
  forced = false,
): Generator<PlanItem> {
  for (const task of tasks) yield* taskItems(task, targets, repeat, renderers, forced);
}

/** Dataset version: the hash of the task versions it contains, in order (see `DatasetVersion`). */
export function datasetVersion(tasks: Task[]): string {
  // Pairs of strings have no keys to sort: their plain JSON is their canonical JSON, which
  // JSON.stringify writes natively (contentHash's general writer took 25 ms for 10,000 tasks).
  return sha256(JSON.stringify(tasks.map((task) => [task.id, task.version])), 12);
}

/**
 * The dataset version of tasks that stream past: the same hash as `datasetVersion` of the same
 * tasks in the same order, fed one task at a time.
 */
export class DatasetVersion {
  readonly #hash = createHash('sha256').update('[');
  #first = true;

  add(task: Task): void {
    this.#hash.update(`${this.#first ? '' : ','}${JSON.stringify([task.id, task.version])}`);
    this.#first = false;
  }

  digest(): string {
    return this.#hash.update(']').digest('hex').slice(0, 12);
  }
}
