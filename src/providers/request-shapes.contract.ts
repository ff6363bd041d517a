/**
 * What each provider's API documents its request body to be, written down independently of the adapters
 * (which hold their own lists), and a capture server that records what an adapter really sends and
 * answers with a canned, real-shaped reply. Wire tests check the captured body against these schemas:
 * strict objects, so a field in the wrong place (`tools` inside Gemini's `generationConfig`) or one the
 * API does not take (`seed` for Anthropic) fails the test the way the real API would answer 400.
 *
 * Sources: openai-node `ChatCompletionCreateParamsBase` and `ResponseCreateParamsBase`;
 * anthropic-sdk-typescript `MessageCreateParamsBase`; ai.google.dev `models.generateContent` and
 * `GenerationConfig` (v1beta); Ollama docs/openapi.yaml `ChatRequest`.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

const optional = z.unknown().optional();
const jsonObject = z.record(z.string(), z.unknown());

/** POST /v1/chat/completions */
export const chatCompletionsRequest = z.strictObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']) })),
  audio: optional,
  frequency_penalty: z.number().optional(),
  function_call: optional,
  functions: optional,
  logit_bias: optional,
  logprobs: z.boolean().optional(),
  max_completion_tokens: z.number().int().optional(),
  max_tokens: z.number().int().optional(),
  metadata: optional,
  modalities: optional,
  n: z.number().int().optional(),
  parallel_tool_calls: z.boolean().optional(),
  prediction: optional,
  presence_penalty: z.number().optional(),
  prompt_cache_key: z.string().optional(),
  prompt_cache_retention: optional,
  reasoning_effort: z.string().optional(),
  response_format: optional,
  safety_identifier: z.string().optional(),
  seed: z.number().int().optional(),
  service_tier: optional,
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  store: z.boolean().optional(),
  stream: z.boolean().optional(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).optional(),
  temperature: z.number().optional(),
  tool_choice: optional,
  tools: z
    .array(z.strictObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }))
    .optional(),
  top_logprobs: z.number().int().optional(),
  top_p: z.number().optional(),
  user: z.string().optional(),
  verbosity: optional,
  web_search_options: optional,
});

/** A Responses `text.format`: flat, not nested under `json_schema` as Chat Completions has it. */
const responsesTextFormat = z.union([
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z.string(),
    schema: jsonObject,
    strict: z.boolean().optional(),
    description: z.string().optional(),
  }),
]);

/** A Responses function tool: flat `{ type, name, parameters }`, not nested under `function`. */
const responsesFunctionTool = z.strictObject({
  type: z.literal('function'),
  name: z.string(),
  description: z.string().optional(),
  parameters: jsonObject.nullable(),
  strict: z.boolean().nullable().optional(),
});

/** POST /v1/responses */
export const responsesRequest = z.strictObject({
  model: z.string(),
  input: z.union([
    z.string(),
    z.array(
      z.strictObject({
        role: z.enum(['user', 'assistant', 'system', 'developer']),
        content: z.string(),
        type: z.literal('message').optional(),
      }),
    ),
  ]),
  background: optional,
  context_management: optional,
  conversation: optional,
  include: z.array(z.string()).optional(),
  instructions: z.string().optional(),
  max_output_tokens: z.number().int().min(16).optional(),
  max_tool_calls: z.number().int().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  moderation: optional,
  parallel_tool_calls: z.boolean().optional(),
  previous_response_id: z.string().optional(),
  prompt: optional,
  prompt_cache_key: z.string().optional(),
  prompt_cache_retention: optional,
  reasoning: z
    .strictObject({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).optional(),
      summary: z.enum(['auto', 'concise', 'detailed']).optional(),
    })
    .optional(),
  safety_identifier: z.string().optional(),
  service_tier: optional,
  store: z.boolean().optional(),
  stream: z.boolean().optional(),
  stream_options: optional,
  temperature: z.number().optional(),
  text: z.strictObject({ format: responsesTextFormat.optional(), verbosity: optional }).optional(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.strictObject({ type: z.literal('function'), name: z.string() }),
      z.looseObject({ type: z.string() }),
    ])
    .optional(),
  tools: z
    .array(
      z.union([
        responsesFunctionTool,
        z.looseObject({ type: z.string().refine((type) => type !== 'function', 'a built-in tool') }),
      ]),
    )
    .optional(),
  top_logprobs: z.number().int().optional(),
  top_p: z.number().optional(),
  truncation: z.enum(['auto', 'disabled']).optional(),
  user: z.string().optional(),
});

/** POST /v1/messages (Anthropic) */
export const messagesRequest = z.strictObject({
  model: z.string(),
  max_tokens: z.number().int(),
  messages: z.array(z.strictObject({ role: z.enum(['user', 'assistant']), content: z.unknown() })),
  cache_control: optional,
  container: optional,
  inference_geo: optional,
  metadata: z.strictObject({ user_id: z.string().optional() }).optional(),
  output_config: z.looseObject({}).optional(),
  service_tier: z.enum(['auto', 'standard_only']).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.literal('text') }))]).optional(),
  temperature: z.number().optional(),
  thinking: z.looseObject({ type: z.string() }).optional(),
  tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']) }).optional(),
  tools: z
    .array(
      z.looseObject({ name: z.string(), input_schema: jsonObject.optional(), type: z.string().optional() }),
    )
    .optional(),
  top_k: z.number().int().optional(),
  top_p: z.number().optional(),
});

/** Gemini `GenerationConfig` (v1beta): only these may sit inside `generationConfig`. */
const geminiGenerationConfig = z.strictObject({
  stopSequences: z.array(z.string()).optional(),
  responseMimeType: z.string().optional(),
  responseSchema: optional,
  responseJsonSchema: optional,
  responseModalities: z.array(z.string()).optional(),
  candidateCount: z.number().int().optional(),
  maxOutputTokens: z.number().int().optional(),
  temperature: z.number().optional(),
  topP: z.number().optional(),
  topK: z.number().int().optional(),
  seed: z.number().int().optional(),
  presencePenalty: z.number().optional(),
  frequencyPenalty: z.number().optional(),
  responseLogprobs: z.boolean().optional(),
  logprobs: z.number().int().optional(),
  enableEnhancedCivicAnswers: z.boolean().optional(),
  speechConfig: optional,
  thinkingConfig: z
    .strictObject({
      includeThoughts: z.boolean().optional(),
      thinkingBudget: z.number().int().optional(),
      thinkingLevel: z.string().optional(),
    })
    .optional(),
  imageConfig: optional,
  mediaResolution: z.string().optional(),
});

const geminiContent = z.strictObject({
  role: z.enum(['user', 'model']).optional(),
  parts: z.array(z.looseObject({})),
});

/** POST /v1beta/models/{model}:generateContent (and :streamGenerateContent) */
export const generateContentRequest = z.strictObject({
  contents: z.array(geminiContent),
  tools: z
    .array(
      z.strictObject({
        functionDeclarations: z.array(z.looseObject({ name: z.string() })).optional(),
        googleSearch: optional,
        codeExecution: optional,
        urlContext: optional,
        googleSearchRetrieval: optional,
      }),
    )
    .optional(),
  toolConfig: z
    .strictObject({
      functionCallingConfig: z
        .strictObject({
          mode: z.enum(['AUTO', 'ANY', 'NONE', 'VALIDATED', 'MODE_UNSPECIFIED']).optional(),
          allowedFunctionNames: z.array(z.string()).optional(),
        })
        .optional(),
      retrievalConfig: optional,
    })
    .optional(),
  safetySettings: z.array(z.strictObject({ category: z.string(), threshold: z.string() })).optional(),
  systemInstruction: geminiContent.optional(),
  generationConfig: geminiGenerationConfig.optional(),
  cachedContent: z.string().optional(),
});

/** POST /api/chat (Ollama native) */
export const ollamaChatRequest = z.strictObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.enum(['system', 'user', 'assistant', 'tool']) })),
  tools: z.array(z.looseObject({ type: z.literal('function') })).optional(),
  format: z.union([z.literal('json'), jsonObject]).optional(),
  options: jsonObject.optional(),
  stream: z.boolean().optional(),
  think: z.union([z.boolean(), z.enum(['high', 'medium', 'low'])]).optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().optional(),
});

/** One request as the capture server received it. */
export interface CapturedRequest {
  method: string;
  /** Path and query string. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when there was none). */
  body: unknown;
}

/** What the capture server answers: a JSON value, or SSE/raw text with its content type. */
export type CannedReply =
  | { status?: number; json: unknown }
  | { status?: number; text: string; contentType: string };

export interface CaptureServer {
  url: string;
  requests: CapturedRequest[];
  /** The body of the only request received; fails when there was not exactly one. */
  onlyBody(): unknown;
  close(): Promise<void>;
}

/** An HTTP server on loopback that records every request and answers each with `reply(request)`. */
export async function startCaptureServer(
  reply: (request: CapturedRequest) => CannedReply,
): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.once('end', () => {
      const captured: CapturedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      requests.push(captured);
      const answer = reply(captured);
      const body = 'json' in answer ? JSON.stringify(answer.json) : answer.text;
      const type = 'json' in answer ? 'application/json' : answer.contentType;
      response.writeHead(answer.status ?? 200, { 'content-type': type }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    onlyBody() {
      if (requests.length !== 1) throw new Error(`expected one request, got ${requests.length}`);
      return requests[0]!.body;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** SSE text from `[event, data]` pairs (`event` may be undefined for data-only streams). */
export function sse(events: ReadonlyArray<readonly [string | undefined, unknown]>): string {
  return events
    .map(([event, data]) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`)
    .join('');
}
