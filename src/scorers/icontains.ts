import { substringScorer } from './contains.js';
import type { Scorer } from './scorer.js';

/** Case-insensitive `contains` (`String#toLowerCase`, so the same in every locale). */
export const icontainsScorer: Scorer = substringScorer('icontains', true);
