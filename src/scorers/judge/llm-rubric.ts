import type { Scorer } from '../scorer.js';
import { gradeAnswer } from './grade.js';
import { judgeScorer, requiredText } from './judge-scorer.js';

/**
 * `llm-rubric`: the judge grades the output against the rubric in `value` (pass, 0..1 score, reason).
 * Template variables: `rubric`, `output`, `input`, `expected`, `vars`.
 */
export const llmRubricScorer: Scorer = judgeScorer({
  name: 'llm-rubric',
  version: '1',
  variables: (spec, _task, where) => ({
    rubric: requiredText(
      'llm-rubric',
      spec.value,
      'a rubric',
      where,
      '"Answers in one sentence and names the capital"',
    ),
  }),
  grade: gradeAnswer,
});
