import type { Scorer } from '../scorer.js';
import { gradeAnswer } from './grade.js';
import { judgeScorer, referenceText } from './judge-scorer.js';

/**
 * `closed-qa`: the judge decides whether the output answers the task's question as the reference
 * answer (`value`, else the task's `expected`) does. Template variables: `expected` (the reference),
 * `output`, `input`, `vars`.
 */
export const closedQaScorer: Scorer = judgeScorer({
  name: 'closed-qa',
  version: '1',
  variables: (spec, task, where) => ({ expected: referenceText('closed-qa', spec, task, where) }),
  grade: gradeAnswer,
});
