import type { Scorer } from '../scorer.js';
import { reaches } from '../scorer-options.js';
import { judgeReason, judgeScorer, referenceText } from './judge-scorer.js';
import { parseChoice } from './parse.js';

/**
 * Value of each factuality category. A subset of the facts is consistent but incomplete; only a
 * contradiction (D) is wrong.
 */
export const FACTUALITY_SCORES: Readonly<Record<string, number>> = { A: 0.75, B: 1, C: 1, D: 0, E: 1 };

const LABELS: Readonly<Record<string, string>> = {
  A: 'subset of the reference',
  B: 'superset of the reference',
  C: 'same facts as the reference',
  D: 'contradicts the reference',
  E: 'differs only immaterially',
};

/**
 * `factuality`: the judge compares the facts of the output with the reference answer (`value`, else the
 * task's `expected`) and picks A–E; value by `FACTUALITY_SCORES`, pass when value >= threshold (0.5,
 * so every category but D passes). Template variables: `expected` (the reference), `output`, `input`,
 * `vars`.
 */
export const factualityScorer: Scorer = judgeScorer({
  name: 'factuality',
  version: '1',
  defaultThreshold: 0.5,
  variables: (spec, task, where) => ({ expected: referenceText('factuality', spec, task, where) }),
  grade(answer, threshold = 0.5, costUsd) {
    const { choice, reason } = parseChoice(answer, 'ABCDE', costUsd);
    const value = FACTUALITY_SCORES[choice] ?? 0;
    return {
      value,
      pass: reaches(value, threshold),
      reason: judgeReason(reason, `(${choice}) ${LABELS[choice]}: `),
    };
  },
});
