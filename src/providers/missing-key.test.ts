import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { MissingKeyError, missingKeysError } from './missing-key.js';

describe('missing API keys', () => {
  it('is a UserError naming the variable, the provider and a fix', () => {
    const error = new MissingKeyError('GEMINI_API_KEY or GOOGLE_API_KEY', 'google:gemini-2.5-flash');
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'GEMINI_API_KEY or GOOGLE_API_KEY is not set (needed by google:gemini-2.5-flash)',
    );
    expect(error.hint).toBe('set GEMINI_API_KEY in the environment or in .env');
  });

  it('one missing key is reported as it is', () => {
    const error = new MissingKeyError('OPENAI_API_KEY', 'openai:gpt-4o');
    expect(missingKeysError([error])).toBe(error);
  });

  it('several are listed together, once per variable', () => {
    const missing = [
      new MissingKeyError('OPENAI_API_KEY', 'openai:gpt-4o'),
      new MissingKeyError('ANTHROPIC_API_KEY', 'anthropic:claude-3-5-haiku-latest'),
      new MissingKeyError('OPENAI_API_KEY', 'openai:gpt-4o-mini'),
    ];
    const error = missingKeysError(missing);
    expect(error.message).toBe(
      '2 API keys are not set: OPENAI_API_KEY (needed by openai:gpt-4o, openai:gpt-4o-mini); ANTHROPIC_API_KEY (needed by anthropic:claude-3-5-haiku-latest)',
    );
    expect(error.location).toBeUndefined(); // the run adds where targets are written
    expect(error.hint).toMatch(/set them in the environment or in \.env/);
  });
});
