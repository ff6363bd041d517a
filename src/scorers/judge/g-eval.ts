import type { Scorer } from '../scorer.js';
import { reaches } from '../scorer-options.js';
import { judgeReason, judgeScorer, requiredText } from './judge-scorer.js';
import { parseRating } from './parse.js';

/**
 * `g-eval`: the judge turns the criteria in `value` into evaluation steps, follows them and scores the
 * output from 1 to 5; value = (score - 1) / 4, pass when value >= threshold (default 0.5, a 3).
 * Template variables: `criteria`, `output`, `input`, `expected`, `vars`.
 */
export const gEvalScorer: Scorer = judgeScorer({
  name: 'g-eval',
  version: '1',
  defaultThreshold: 0.5,
  variables: (spec, _task, where) => ({
    criteria: requiredText(
      'g-eval',
      spec.value,
      'criteria',
      where,
      '"Coherence: the answer is well structured"',
    ),
  }),
  grade(answer, threshold = 0.5, costUsd) {
    const { rating, reason } = parseRating(answer, 1, 5, costUsd);
    const value = (rating - 1) / 4;
    return { value, pass: reaches(value, threshold), reason: judgeReason(reason, `${rating}/5: `) };
  },
});
