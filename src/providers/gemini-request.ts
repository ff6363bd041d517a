/**
 * Builds a Gemini `GenerateContentRequest` body from the platform's messages and generation config. The
 * request's own fields (tools, toolConfig, safetySettings, systemInstruction, cachedContent) go at the
 * top level and only `GenerationConfig` fields go into `generationConfig`: the API answers 400 to
 * anything else there.
 */
import type { ChatMessage, GenerationConfig } from '../types.js';
import type { ConfigKeys } from './config-keys.js';

interface GeminiContent {
  role: 'user' | 'model';
  parts: Array<{ text: string }>;
}

export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: unknown[] };
  generationConfig?: Record<string, unknown>;
  [field: string]: unknown;
}

/** `GenerateContentRequest` fields besides `contents` and `generationConfig` (ai.google.dev, v1beta). */
const REQUEST_FIELDS = new Set([
  'tools',
  'toolConfig',
  'safetySettings',
  'systemInstruction',
  'cachedContent',
]);

/** `GenerationConfig` fields of the Gemini API (ai.google.dev, v1beta). */
const GENERATION_FIELDS = new Set([
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'responseModalities',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'enableEnhancedCivicAnswers',
  'speechConfig',
  'thinkingConfig',
  'imageConfig',
  'mediaResolution',
]);

/** The platform's names that Gemini spells differently (snake_case is otherwise camel-cased). */
const RENAMED: Readonly<Record<string, string>> = { max_tokens: 'maxOutputTokens', stop: 'stopSequences' };

/** `top_k` → `topK`: proto JSON field names, which Google accepts in both spellings. */
function camelCase(key: string): string {
  return RENAMED[key] ?? key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Config keys the Gemini adapter takes: the fields above in either spelling and the platform's names. */
export const GENERATE_CONTENT_KEYS: ConfigKeys = {
  api: 'Gemini generateContent',
  accepted: new Set([
    ...Object.keys(RENAMED),
    'top_p',
    // The target's `stream` option decides the endpoint; accepted and not sent.
    'stream',
    ...[...REQUEST_FIELDS, ...GENERATION_FIELDS].flatMap((name) => [name, snakeCase(name)]),
  ]),
  reasons: {
    generationConfig: 'write its fields (temperature, topK, thinkingConfig…) directly in config',
    generation_config: 'write its fields (temperature, topK, thinkingConfig…) directly in config',
    labels: 'Vertex AI only; the Gemini API rejects it',
    response_format: 'use responseMimeType and responseJsonSchema',
  },
};

/**
 * System messages (wherever they appear) become `systemInstruction` parts after any the config gives,
 * assistant turns become `model` turns. Request fields go at the top level in camelCase; generation
 * fields (the platform's max_tokens, stop and top_p included) go into `generationConfig`. Keys outside
 * both are the ConfigGate's to refuse; they are never sent.
 */
export function buildGeminiBody(
  messages: readonly ChatMessage[],
  config: GenerationConfig,
): GeminiRequestBody {
  const system: unknown[] = [];
  const contents: GeminiContent[] = [];
  for (const message of messages) {
    if (message.role === 'system') system.push({ text: message.content });
    else
      contents.push({
        role: message.role === 'assistant' ? 'model' : 'user',
        parts: [{ text: message.content }],
      });
  }
  const body: GeminiRequestBody = { contents };
  const generationConfig: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    const name = camelCase(key);
    if (GENERATION_FIELDS.has(name)) {
      // A lone stop string is a common shorthand; Gemini only takes a list.
      generationConfig[name] = name === 'stopSequences' && typeof value === 'string' ? [value] : value;
    } else if (REQUEST_FIELDS.has(name)) {
      body[name] = value;
    }
  }
  const configured = body.systemInstruction;
  if (configured !== undefined) system.unshift(...instructionParts(configured));
  if (system.length > 0) body.systemInstruction = { parts: system };
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

/** The parts of a configured system instruction: a Content object's parts, or a string as one text part. */
function instructionParts(value: unknown): unknown[] {
  if (typeof value === 'string') return [{ text: value }];
  if (typeof value === 'object' && value !== null && 'parts' in value && Array.isArray(value.parts)) {
    return value.parts;
  }
  return [value];
}
