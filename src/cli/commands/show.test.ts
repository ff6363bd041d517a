import { describe, expect, it } from 'vitest';
import { makeError, makeResult } from '../../report/test-helpers.js';
import { renderItem } from './show.js';

// An escape sequence in model output could recolour, move the cursor or retitle the terminal.
const HOSTILE = 'red \x1b[31mRED\x1b[0m title \x1b]0;pwned\x07 clear \x9b2J bell \x07 cr\rend';

describe('renderItem', () => {
  it('prints no control character of what the model, the task or the provider wrote', () => {
    const result = makeResult({
      taskId: `task\x1b[2J`,
      prompt: [{ role: 'user', content: `line one\n${HOSTILE}` }],
      output: `first\n${HOSTILE}\n\tindented`,
      scores: [{ name: 'contains', value: 0, pass: false, reason: `missing in ${HOSTILE}`, weight: 1 }],
      attemptLog: [{ target: 'gpt', outcome: 'permanent', latencyMs: 5, message: HOSTILE }],
    });
    const errored = makeError('permanent', HOSTILE);
    for (const text of [renderItem(result, false), renderItem(errored, false)]) {
      expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
    const shown = renderItem(result, false);
    // Lines and tabs stay; the rest of the text is kept around the removed characters.
    expect(shown).toContain(
      '  first\n  red  [31mRED [0m title  ]0;pwned  clear  2J bell   cr end\n  \tindented',
    );
  });
});
