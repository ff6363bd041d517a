import { substringListScorer } from './contains-any.js';
import type { Scorer } from './scorer.js';

/**
 * Passes when the output contains every string in `value`. The value is the share of strings
 * found, so a task threshold can give partial credit.
 */
export const containsAllScorer: Scorer = substringListScorer('contains-all', 'all');
