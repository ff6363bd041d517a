/**
 * Gemini `GenerateContentResponse` bodies: one JSON answer, `alt=sse` events, or the JSON array Google
 * streams without `alt=sse`. Usage follows Gemini's rules: counts are cumulative on every chunk, zero
 * counts are omitted (proto3 JSON), and `totalTokenCount = prompt + candidates + thoughts`.
 */
import { answer, estimateTokens, splitTokens, truncateToTokens } from '../answer.js';
import type { MockReply, MockRequest } from '../dialect.js';
import { requestedReply, type StreamFault, streamFault } from '../stream-faults.js';
import { chooseToolCalls } from '../tools.js';
import type { GeminiRequest } from './gemini-request.js';

/** How the answer is sent: `generateContent`, `streamGenerateContent?alt=sse`, or `streamGenerateContent`. */
export type GeminiMode = 'json' | 'sse' | 'array';

type Part =
  | { text: string; thought?: true }
  | { functionCall: { name: string; args: Record<string, unknown> } };

interface Generation {
  model: string;
  responseId: string;
  thought: Part | undefined;
  text: string;
  /** When not empty, the answer is these parts instead of text (the finish reason stays `STOP`). */
  functionCalls: Part[];
  finishReason: 'STOP' | 'MAX_TOKENS';
  promptTokens: number;
  thoughtsTokens: number;
}

export function geminiReply(
  request: MockRequest,
  model: string,
  gemini: GeminiRequest,
  mode: GeminiMode,
): MockReply {
  const functionCalls: Part[] = chooseToolCalls(gemini.tools, {
    text: gemini.lastUserText,
    toolResult: gemini.toolResult,
  }).map((call) => ({ functionCall: { name: call.name, args: call.arguments } }));
  const full =
    functionCalls.length > 0
      ? ''
      : answer(gemini.lastUserText, { json: gemini.json, reply: requestedReply(request.headers) });
  const { text, truncated } =
    gemini.maxOutputTokens === undefined
      ? { text: full, truncated: false }
      : truncateToTokens(full, gemini.maxOutputTokens);
  const candidatesTokens = estimateTokens(text.length + charsOf(functionCalls));
  const { thinking } = gemini;
  const generation: Generation = {
    model,
    responseId: `mockResponse${request.sequence.toString(36).padStart(8, '0')}`,
    thought: thinking?.includeThoughts
      ? { text: `**Thinking**\n\nWorking out: ${gemini.lastUserText.slice(0, 80)}`, thought: true }
      : undefined,
    text,
    functionCalls,
    finishReason: truncated ? 'MAX_TOKENS' : 'STOP',
    promptTokens: estimateTokens(gemini.promptChars),
    // Without a budget the mock "thinks" four times as long as it answers.
    thoughtsTokens: thinking ? (thinking.budget ?? 4 * candidatesTokens) : 0,
  };
  const tokens = generation.promptTokens + candidatesTokens + generation.thoughtsTokens;
  if (mode === 'json') {
    const answerParts = functionCalls.length > 0 ? functionCalls : [{ text }];
    const parts = generation.thought ? [generation.thought, ...answerParts] : answerParts;
    const body = response(generation, parts, generation.finishReason, candidatesTokens);
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify(body),
      tokens,
    };
  }
  const fault = streamFault(request.headers);
  const chunks = streamChunks(generation, fault);
  if (mode === 'sse') {
    return {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
      // Google ends its events with CRLF pairs.
      body: chunks.map((chunk) => `data: ${serialize(chunk)}\r\n\r\n`),
      tokens,
    };
  }
  const events = chunks.map((chunk, index) => `${index === 0 ? '[' : '\n,\r\n'}${serialize(chunk, 2)}`);
  // A truncated array stream ends mid-array, without its closing bracket.
  if (fault !== 'truncate') events.push('\n]');
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: events,
    tokens,
  };
}

/** Characters of function-call parts as JSON, for the candidates token count. */
function charsOf(parts: readonly Part[]): number {
  return parts.reduce((sum, part) => sum + JSON.stringify(part).length, 0);
}

// As Google sends it mid-stream: a bare Status object in place of a chunk, on a 200.
const STREAM_ERROR = {
  error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
};

// Stands for one chunk whose JSON arrives cut short (`x-mock-malformed`).
const MALFORMED = Symbol('malformed chunk');

function serialize(chunk: unknown, indent?: number): string {
  return chunk === MALFORMED ? '{"candidates": [' : JSON.stringify(chunk, null, indent);
}

/**
 * The chunks of a streamed answer; `fault` cuts it after its content or after the first content chunk,
 * or slips a malformed chunk in after the first content chunk.
 */
function streamChunks(generation: Generation, fault: StreamFault | undefined): unknown[] {
  const chunks: unknown[] = [];
  if (generation.thought) chunks.push(response(generation, [generation.thought], undefined, 0));
  // Function calls come whole, all in one chunk.
  if (generation.functionCalls.length > 0) {
    const last = fault !== 'error' && fault !== 'truncate';
    const tokens = estimateTokens(charsOf(generation.functionCalls));
    chunks.push(
      response(generation, generation.functionCalls, last ? generation.finishReason : undefined, tokens),
    );
    if (fault === 'malformed') chunks.push(MALFORMED);
    if (fault === 'error') chunks.push(STREAM_ERROR);
    return chunks;
  }
  // An empty answer still gets its one chunk with the finish reason.
  const pieces = generation.text ? splitTokens(generation.text) : [''];
  let sent = 0;
  for (const [index, piece] of pieces.entries()) {
    sent += piece.length;
    // Cut short, the finish reason never arrives (truncated: all the content does).
    const last = index === pieces.length - 1 && fault !== 'error' && fault !== 'truncate';
    const finishReason = last ? generation.finishReason : undefined;
    chunks.push(response(generation, [{ text: piece }], finishReason, estimateTokens(sent)));
    if (index === 0 && fault === 'malformed') chunks.push(MALFORMED);
    if (fault === 'error') {
      chunks.push(STREAM_ERROR);
      break;
    }
  }
  return chunks;
}

function response(
  generation: Generation,
  parts: Part[],
  finishReason: Generation['finishReason'] | undefined,
  candidatesTokens: number,
): unknown {
  const { promptTokens, thoughtsTokens } = generation;
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: {
      promptTokenCount: promptTokens,
      ...(candidatesTokens > 0 ? { candidatesTokenCount: candidatesTokens } : {}),
      totalTokenCount: promptTokens + candidatesTokens + thoughtsTokens,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
      ...(thoughtsTokens > 0 ? { thoughtsTokenCount: thoughtsTokens } : {}),
    },
    modelVersion: generation.model,
    responseId: generation.responseId,
  };
}
