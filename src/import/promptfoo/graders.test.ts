import { describe, expect, it } from 'vitest';
import { defaultGrader, graderChoice } from './graders.js';

describe('defaultGrader', () => {
  it.each([
    [{}, 'openai:gpt-5', 'no OpenAI, Anthropic or Gemini key is set'],
    [{ OPENAI_API_KEY: 'x', ANTHROPIC_API_KEY: 'y' }, 'openai:gpt-5', 'OPENAI_API_KEY is set'],
    [
      { ANTHROPIC_API_KEY: 'y', GEMINI_API_KEY: 'z' },
      'anthropic:claude-sonnet-4-5-20250929',
      'ANTHROPIC_API_KEY is set and OPENAI_API_KEY is not',
    ],
    [
      { GOOGLE_API_KEY: 'z' },
      'google:gemini-2.5-pro',
      'GOOGLE_API_KEY is set and OPENAI_API_KEY, ANTHROPIC_API_KEY are not',
    ],
    [
      { OPENAI_API_KEY: '', MISTRAL_API_KEY: 'm' },
      'openai:gpt-5',
      'no OpenAI, Anthropic or Gemini key is set',
    ],
  ])('picks promptfoo’s default for %j', (env, id, reason) => {
    expect(defaultGrader(env)).toEqual({ id, reason });
  });
});

describe('graderChoice', () => {
  it.each([
    ['openai:gpt-4o-mini', { text: 'openai:gpt-4o-mini' }],
    [{ id: 'anthropic:messages:claude-3-5-haiku-20241022' }, { text: 'anthropic:claude-3-5-haiku-20241022' }],
    ['openai:embedding:text-embedding-3-small', { embedding: 'openai:text-embedding-3-small' }],
    ['openai:text-embedding-3-small', { embedding: 'openai:text-embedding-3-small' }],
    [
      { text: 'openai:chat:gpt-4o', embedding: 'openai:embeddings:text-embedding-3-large' },
      { text: 'openai:gpt-4o', embedding: 'openai:text-embedding-3-large' },
    ],
  ])('maps %j', (provider, choice) => {
    expect(graderChoice(provider)).toEqual({ choice });
  });

  it('keeps the id of a grader with settings and says what is dropped', () => {
    expect(graderChoice({ id: 'openai:gpt-4o', config: { temperature: 0 } })).toEqual({
      choice: { text: 'openai:gpt-4o' },
      problem:
        'grader "openai:gpt-4o": its settings (config) are not mapped, so openai:gpt-4o judges with Assay\'s defaults (temperature 0); to keep them, set `grader: { id, config }` in assay.yaml',
    });
  });

  it.each([
    [
      5,
      'a grader must be a provider id or { id, config }, got 5 (number); write e.g. provider: openai:gpt-4o-mini',
    ],
    [
      { id: null },
      'the grader\'s "id" must be a provider id, got null (null); write e.g. id: openai:gpt-4o-mini',
    ],
    [{ config: {} }, 'the grader has no "id"; write e.g. id: openai:gpt-4o-mini'],
    [
      'bedrock:claude',
      'grader "bedrock:claude": Assay has no "bedrock" provider; if it serves the Chat Completions API, use openai-compatible: with base_url',
    ],
  ])('says what is wrong with %j', (provider, problem) => {
    expect(graderChoice(provider)).toEqual({ choice: {}, problem });
  });
});
