import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { resolveTargetName } from './target-name.js';

const NAMES = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'fast', 'openai:gpt-4o'];

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const { message, location, hint } = error as UserError;
    return `${location}: ${message} | ${hint}`;
  }
  throw new Error('expected a UserError');
}

describe('resolveTargetName', () => {
  it('takes a full name or label as it is, and a model name without its provider prefix', () => {
    expect(resolveTargetName('openai:gpt-4o-mini', NAMES, '--target')).toBe('openai:gpt-4o-mini');
    expect(resolveTargetName('fast', NAMES, '--target')).toBe('fast');
    expect(resolveTargetName('gpt-4o-mini', NAMES, '--target')).toBe('openai:gpt-4o-mini');
    expect(resolveTargetName('gpt-4o', NAMES, '--target')).toBe('openai:gpt-4o');
    expect(resolveTargetName('gpt-4o-mini/answer', ['openai:gpt-4o-mini/answer'], '-t')).toBe(
      'openai:gpt-4o-mini/answer',
    );
  });

  it('refuses a short name two targets share, naming both', () => {
    expect(
      message(() => resolveTargetName('llama3', ['ollama:llama3', 'openai-compatible:llama3'], '--target')),
    ).toBe(
      '--target: target "llama3" is ambiguous: ollama:llama3, openai-compatible:llama3 | give the full name (provider:model or the label)',
    );
  });

  it('suggests the nearest full name for a typo of either form, and lists the names', () => {
    expect(message(() => resolveTargetName('gpt-4o-mni', NAMES, '--target'))).toBe(
      `--target: unknown target "gpt-4o-mni"; did you mean "openai:gpt-4o-mini"? | known targets: ${NAMES.join(', ')}`,
    );
    expect(message(() => resolveTargetName('openai:gpt4o', NAMES, '--target'))).toMatch(
      /did you mean "openai:gpt-4o"\?/,
    );
    expect(message(() => resolveTargetName('mistral', [], '--target', 'targets of run 3f2a'))).toBe(
      '--target: unknown target "mistral" | targets of run 3f2a: (none)',
    );
  });
});
