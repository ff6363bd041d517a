/** Reads Gemini `GenerateContentResponse` bodies: one JSON answer, or the SSE chunks of a streamed one. */
import * as z from 'zod';
import { ProviderError } from '../errors.js';
import type { Usage } from '../types.js';
import { redact } from './http.js';
import { type ProviderResponse, type ToolCall, toolCallOutput } from './provider.js';
import { sseEvents, truncatedStream } from './stream.js';

/** Only the fields we read; a chunk of a stream has the same shape as a whole answer. */
const responseSchema = z.object({
  candidates: z
    .array(
      z.object({
        content: z
          .object({
            parts: z
              .array(
                z.object({
                  text: z.string().optional(),
                  thought: z.boolean().optional(),
                  functionCall: z
                    .object({ id: z.string().optional(), name: z.string(), args: z.unknown().optional() })
                    .optional(),
                }),
              )
              .optional(),
          })
          .optional(),
        finishReason: z.string().optional(),
      }),
    )
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
  // Loose: `Usage.raw` keeps the object exactly as received (totalTokenCount, per-modality details…).
  usageMetadata: z
    .looseObject({
      promptTokenCount: z.number().optional(),
      candidatesTokenCount: z.number().optional(),
      thoughtsTokenCount: z.number().optional(),
      cachedContentTokenCount: z.number().optional(),
      toolUsePromptTokenCount: z.number().optional(),
      totalTokenCount: z.number().optional(),
    })
    .optional(),
  modelVersion: z.string().optional(),
});

type GeminiResponse = z.infer<typeof responseSchema>;
type UsageMetadata = NonNullable<GeminiResponse['usageMetadata']>;

/**
 * Normalised usage. Thoughts are billed as output, so they count in `outputTokens` as well as in
 * `reasoningTokens`. Google omits zero counts (proto3 JSON), so a missing count beside present ones is 0.
 */
export function parseGeminiUsage(raw: UsageMetadata | undefined): Usage {
  if (!raw) return {};
  const { promptTokenCount, toolUsePromptTokenCount, candidatesTokenCount, thoughtsTokenCount } = raw;
  const reported = Object.values(raw).some((value) => typeof value === 'number');
  const input =
    promptTokenCount === undefined && toolUsePromptTokenCount === undefined
      ? undefined
      : (promptTokenCount ?? 0) + (toolUsePromptTokenCount ?? 0);
  return {
    ...(input !== undefined ? { inputTokens: input } : {}),
    ...(reported ? { outputTokens: (candidatesTokenCount ?? 0) + (thoughtsTokenCount ?? 0) } : {}),
    ...(raw.cachedContentTokenCount !== undefined ? { cachedInputTokens: raw.cachedContentTokenCount } : {}),
    ...(thoughtsTokenCount !== undefined ? { reasoningTokens: thoughtsTokenCount } : {}),
    raw,
  };
}

/** Text of the first candidate; thought summaries (`thought: true` parts) are not part of the answer. */
function answerText(response: GeminiResponse): string {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts
    .filter((part) => !part.thought)
    .map((part) => part.text ?? '')
    .join('');
}

/** `functionCall` parts of the first candidate; `args` is an object on the wire, kept as its JSON text. */
function toolCallsOf(response: GeminiResponse): ToolCall[] {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.flatMap(({ functionCall: call }) =>
    call
      ? [{ ...(call.id ? { id: call.id } : {}), name: call.name, arguments: JSON.stringify(call.args ?? {}) }]
      : [],
  );
}

/** The output (text, else the tool calls as JSON) and the tool calls of an answer. */
function answerOf(text: string, toolCalls: ToolCall[]): Pick<ProviderResponse, 'output' | 'toolCalls'> {
  if (toolCalls.length === 0) return { output: text };
  return { output: text || toolCallOutput(toolCalls), toolCalls };
}

/** Why generation stopped; a prompt blocked before any candidate reports its block reason instead. */
function finishReasonOf(response: GeminiResponse): string | undefined {
  return response.candidates?.[0]?.finishReason ?? response.promptFeedback?.blockReason;
}

function parse(body: unknown, label: string, status?: number): GeminiResponse {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderError(
      'transient',
      `${label}: malformed response: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'unexpected shape'}`,
      status === undefined ? {} : { status },
    );
  }
  return parsed.data;
}

/** A complete (non-streamed) answer. A candidate blocked by safety filters is an empty output, not an error. */
export function readGeminiResponse(body: unknown, label: string, status: number): ProviderResponse {
  const response = parse(body, label, status);
  const finishReason = finishReasonOf(response);
  if (!response.candidates?.length && finishReason === undefined) {
    throw new ProviderError('transient', `${label}: malformed response: no candidates`, { status });
  }
  return {
    ...answerOf(answerText(response), toolCallsOf(response)),
    usage: parseGeminiUsage(response.usageMetadata),
    ...(response.modelVersion ? { model: response.modelVersion } : {}),
    ...(finishReason ? { finishReason } : {}),
  };
}

/**
 * Accumulates an `alt=sse` stream: text parts are concatenated, function calls (each whole in one chunk)
 * collected, `usageMetadata` is cumulative (the last
 * one wins), and the stream is complete once a chunk carries a finish reason. Gemini sends no terminal
 * sentinel, so EOF before that is a truncated stream. `started` is the `performance.now()` of the request;
 * `secret` is removed from in-band error messages.
 */
export async function readGeminiStream(
  chunks: AsyncIterable<Uint8Array>,
  label: string,
  started: number,
  secret?: string,
): Promise<ProviderResponse> {
  let output = '';
  let finishReason: string | undefined;
  let usage: UsageMetadata | undefined;
  let model: string | undefined;
  let ttftMs: number | undefined;
  const toolCalls: ToolCall[] = [];
  for await (const event of sseEvents(chunks)) {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      throw new ProviderError('transient', `${label}: malformed stream event: ${event.data.slice(0, 120)}`);
    }
    if (typeof data === 'object' && data !== null && 'error' in data) {
      const error = (data as { error: { message?: unknown; status?: unknown } | null }).error;
      const detail = [error?.status, error?.message].filter((value) => typeof value === 'string').join(': ');
      const message = `${label}: error in stream: ${detail || 'no error message'}`;
      throw new ProviderError('transient', redact(message, [secret]));
    }
    const chunk = parse(data, label);
    const text = answerText(chunk);
    if (text && ttftMs === undefined) ttftMs = performance.now() - started;
    output += text;
    for (const call of toolCallsOf(chunk)) toolCalls.push(call);
    finishReason = finishReasonOf(chunk) ?? finishReason;
    usage = chunk.usageMetadata ?? usage;
    model = chunk.modelVersion ?? model;
  }
  if (finishReason === undefined) throw truncatedStream(label, 'a chunk with finishReason');
  return {
    ...answerOf(output, toolCalls),
    usage: parseGeminiUsage(usage),
    ...(model ? { model } : {}),
    finishReason,
    ...(ttftMs !== undefined ? { ttftMs } : {}),
  };
}
