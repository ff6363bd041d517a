/** How a pass/score/reason judge answer becomes a verdict, shared by the scorers that ask for one. */
import { reaches } from '../scorer-options.js';
import { type JudgeGrade, judgeReason } from './judge-scorer.js';
import { parseGrade } from './parse.js';

/**
 * value = the judge's score (1 or 0 when it gave only a verdict). pass = score >= threshold when the
 * assertion sets one; otherwise the judge's own pass, or score >= 0.5 when it gave none.
 */
export function gradeAnswer(
  answer: string,
  threshold: number | undefined,
  costUsd: number | null,
): JudgeGrade {
  const { score, pass, reason } = parseGrade(answer, costUsd);
  const passed = threshold !== undefined ? reaches(score, threshold) : (pass ?? reaches(score, 0.5));
  return { value: score, pass: passed, reason: judgeReason(reason) };
}
