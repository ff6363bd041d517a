import { ProviderError } from '../errors.js';
import { RetryError } from '../resilience/retry.js';
import type { EmbeddingAnswer, JudgeAnswer, JudgeRequest, JudgeService } from '../scorers/scorer.js';
import type { ChatMessage } from '../types.js';
import { sha256 } from '../util/hash.js';
import { type Answer, type CacheEntry, type ItemContext, obtainAnswer, type TargetLane } from './answer.js';
import { cacheKey, type PlannedItem, requestShape } from './plan.js';

/** What one judge call cost now: nothing when the cache or an identical call in flight answered. */
function costOf(answer: Answer): number | null {
  return answer.reused ? 0 : answer.value.costUsd;
}

/** The provider's error, not the retry wrapper, so a score's reason says what went wrong. */
function judgeFailure(grader: string, error: unknown): Error {
  const failure = error instanceof RetryError ? error.error : error;
  const message = failure instanceof Error ? failure.message : String(failure);
  return new Error(`judge ${grader} failed: ${message}`, { cause: failure });
}

/**
 * Judge access for one work item. Judge calls go through the graders' own lanes exactly like eval
 * calls (cache, in-flight sharing, rate limits, retries, budgets, cost); fresh answers are
 * collected in `cacheEntries` and written with the item's result.
 */
export function judgeFor(
  item: PlannedItem,
  context: ItemContext,
  cacheEntries: CacheEntry[],
  signal: AbortSignal,
): JudgeService {
  const laneOf = (
    grader: string,
  ): { lane: TargetLane; judgeItem: Omit<PlannedItem, 'messages' | 'cacheKey'> } => {
    const lane = context.lanes.get(grader);
    const target = context.targets.get(grader);
    if (!lane || !target) throw new Error(`unknown judge "${grader}"`);
    return { lane, judgeItem: { id: `${item.id}:${grader}`, task: item.task, target, repeat: 0 } };
  };
  const ask = async (grader: string, planned: PlannedItem, lane: TargetLane): Promise<Answer> => {
    try {
      const answer = await obtainAnswer(planned, lane, context, [], signal);
      if (!answer.reused) cacheEntries.push({ key: planned.cacheKey, value: answer.value });
      return answer;
    } catch (error) {
      throw judgeFailure(grader, error);
    }
  };
  return {
    async complete({ grader, messages }: JudgeRequest): Promise<JudgeAnswer> {
      const { lane, judgeItem } = laneOf(grader);
      const planned: PlannedItem = {
        ...judgeItem,
        messages,
        cacheKey: cacheKey(lane.provider, judgeItem.target, messages, 0),
      };
      const answer = await ask(grader, planned, lane);
      return { output: answer.value.output, costUsd: costOf(answer), cached: answer.reused };
    },
    async embed({ grader, inputs }): Promise<EmbeddingAnswer> {
      const { lane, judgeItem } = laneOf(grader);
      const { provider } = lane;
      const messages: ChatMessage[] = inputs.map((content) => ({ role: 'user', content }));
      const planned: PlannedItem = {
        ...judgeItem,
        messages,
        cacheKey: sha256(
          `embed\0${requestShape(provider, judgeItem.target, false)}\0${JSON.stringify(inputs)}`,
        ),
        invoke: async (target, signal) => {
          if (!target.embed) {
            throw new ProviderError('permanent', `${target.id} has no embeddings endpoint`);
          }
          const { vectors, ...rest } = await target.embed({ inputs, signal });
          return { output: JSON.stringify(vectors), ...rest };
        },
      };
      const answer = await ask(grader, planned, lane);
      return {
        vectors: JSON.parse(answer.value.output) as number[][],
        costUsd: costOf(answer),
        cached: answer.reused,
      };
    },
  };
}
