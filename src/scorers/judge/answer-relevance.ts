import { UserError } from '../../errors.js';
import type { Scorer } from '../scorer.js';
import { gradeAnswer } from './grade.js';
import { judgeScorer } from './judge-scorer.js';

/**
 * `answer-relevance`: the judge decides whether the output addresses the task's question (its rendered
 * prompt), correct or not. Template variables: `output`, `input`, `expected`, `vars`.
 */
export const answerRelevanceScorer: Scorer = judgeScorer({
  name: 'answer-relevance',
  version: '1',
  variables: (spec, _task, where) => {
    if (spec.value !== undefined) {
      throw new UserError(
        'answer-relevance takes no "value": it judges the output against the task\'s own prompt',
        where,
        'remove "value", or use llm-rubric to grade against a rubric',
      );
    }
    return {};
  },
  grade: gradeAnswer,
});
