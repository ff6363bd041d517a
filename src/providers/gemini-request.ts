/** Builds a Gemini `GenerateContentRequest` body from the platform's messages and generation config. */
import type { ChatMessage, GenerationConfig } from '../types.js';

interface GeminiContent {
  role: 'user' | 'model';
  parts: Array<{ text: string }>;
}

export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  generationConfig?: Record<string, unknown>;
}

/** The platform's config names and their Gemini `generationConfig` names; other keys pass through as they are. */
const RENAMED: Readonly<Record<string, string>> = {
  top_p: 'topP',
  max_tokens: 'maxOutputTokens',
  stop: 'stopSequences',
};

/**
 * System messages (wherever they appear) become `systemInstruction` parts, assistant turns become `model`
 * turns. Config keys Gemini spells differently are renamed; anything else (`thinkingConfig`,
 * `responseMimeType`, `topK`…) goes into `generationConfig` untouched, so the API judges it.
 */
export function buildGeminiBody(
  messages: readonly ChatMessage[],
  config: GenerationConfig,
): GeminiRequestBody {
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  for (const message of messages) {
    if (message.role === 'system') system.push({ text: message.content });
    else
      contents.push({
        role: message.role === 'assistant' ? 'model' : 'user',
        parts: [{ text: message.content }],
      });
  }
  const generationConfig: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    const name = RENAMED[key] ?? key;
    // A lone stop string is a common shorthand; Gemini only takes a list.
    generationConfig[name] = name === 'stopSequences' && typeof value === 'string' ? [value] : value;
  }
  return {
    contents,
    ...(system.length > 0 ? { systemInstruction: { parts: system } } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}
