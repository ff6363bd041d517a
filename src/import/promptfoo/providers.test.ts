import { describe, expect, it } from 'vitest';
import { mapProviderId } from './providers.js';

describe('mapProviderId', () => {
  it.each([
    ['openai:gpt-4o-mini', 'openai:gpt-4o-mini'],
    ['openai:chat:gpt-4o-mini', 'openai:gpt-4o-mini'],
    ['openai:responses:gpt-4.1', 'openai:responses:gpt-4.1'],
    ['anthropic:messages:claude-3-5-haiku-20241022', 'anthropic:claude-3-5-haiku-20241022'],
    ['anthropic:claude-sonnet-4-20250514', 'anthropic:claude-sonnet-4-20250514'],
    ['google:gemini-2.5-flash', 'google:gemini-2.5-flash'],
    ['openrouter:meta-llama/llama-3.1-8b-instruct', 'openrouter:meta-llama/llama-3.1-8b-instruct'],
    ['ollama:chat:llama3', 'ollama:llama3'],
    ['ollama:llama3.2:3b', 'ollama:llama3.2:3b'],
    ['ollama:chat:qwen2.5:7b', 'ollama:qwen2.5:7b'],
    ['echo', 'echo'],
  ])('maps %s to %s', (id, expected) => {
    expect(mapProviderId(id)).toEqual({ id: expected });
  });

  it.each([
    ['vertex:gemini-1.5-pro', 'google:gemini-1.5-pro', /Gemini API/],
    ['vertex:chat:gemini-2.0-flash', 'google:gemini-2.0-flash', /Gemini API/],
    ['ollama:completion:mistral', 'ollama:mistral', /\/api\/chat/],
  ])('maps %s to %s with a note', (id, expected, note) => {
    const mapped = mapProviderId(id);
    expect(mapped).toMatchObject({ id: expected });
    expect('note' in mapped && mapped.note).toMatch(note);
  });

  it.each([
    ['openai:embedding:text-embedding-3-small', /OpenAI embedding models/],
    ['openai:completion:gpt-3.5-turbo-instruct', /OpenAI completion models/],
    ['anthropic:completion:claude-2', /legacy Anthropic completion/],
    ['google:live:gemini-2.0-flash-exp', /Google live models/],
    ['vertex:claude-3-5-sonnet-v2@20241022', /only Gemini models on Vertex/],
    ['ollama:embeddings:nomic-embed-text', /Ollama embedding/],
    ['https://api.example.com/v1/generate', /custom HTTP providers/],
    ['http', /custom HTTP providers/],
    ['file://providers/bot.js', /provider modules/],
    ['python:provider.py', /Python providers/],
    ['exec:./run.sh', /script providers/],
    ['bedrock:anthropic.claude-3-haiku-20240307-v1:0', /no "bedrock" provider.*openai-compatible/],
    ['openai:', /names no model/],
  ])('skips %s', (id, reason) => {
    const mapped = mapProviderId(id);
    expect(mapped).toHaveProperty('skip');
    expect('skip' in mapped && mapped.skip).toMatch(reason);
  });
});
