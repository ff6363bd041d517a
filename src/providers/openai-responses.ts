import { endpoint } from './base-url.js';
import { ConfigGate } from './config-keys.js';
import { postJson } from './http.js';
import type { HttpAgents } from './http-agents.js';
import { errorFromResponse } from './openai-chat.js';
import { RESPONSES_KEYS, responsesBody } from './openai-responses-request.js';
import { readResponse, readResponseStream } from './openai-responses-response.js';
import type { Provider, ProviderRequest, ProviderResponse } from './provider.js';
import { openAiRateLimit } from './rate-limit-headers.js';
import { postStream, sseEvents } from './stream.js';

export interface OpenAiResponsesOptions {
  /** Full provider id, e.g. `openai:responses:gpt-4.1-mini`. */
  id: string;
  model: string;
  /** The endpoint root, version included (see `apiRoot`), e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey: string;
  headers: Record<string, string>;
  /** Stream the answer over SSE, which records `ttftMs`. @default false */
  stream?: boolean;
  /** The target's config, refused at construction when it has keys the Responses API does not take. */
  config?: ProviderRequest['config'];
  /** The runtime's connection pools. */
  http: HttpAgents;
}

/**
 * `openai:responses:<model>`: the OpenAI Responses API (`POST /v1/responses`), with reasoning effort and
 * summaries, built-in tools, `text.format` structured output and `previous_response_id`. Priced as OpenAI.
 */
export function createOpenAiResponsesProvider(options: OpenAiResponsesOptions): Provider {
  const { id: label, apiKey } = options;
  const gate = new ConfigGate(label, RESPONSES_KEYS);
  gate.prepare(options.config);
  const url = endpoint(options.baseUrl, '/responses');
  const headers = { ...options.headers, authorization: `Bearer ${apiKey}` };
  const withLimits = (
    response: ProviderResponse,
    responseHeaders: Parameters<typeof openAiRateLimit>[0],
  ): ProviderResponse => {
    const rateLimit = openAiRateLimit(responseHeaders);
    return rateLimit ? { ...response, rateLimit } : response;
  };
  return {
    id: label,
    model: options.model,
    pricingProvider: 'openai',
    cacheScope: () => `openai-responses ${options.baseUrl}`,
    async call(request: ProviderRequest): Promise<ProviderResponse> {
      gate.check(request.config);
      const stream = options.stream === true;
      const body = responsesBody(options.model, request.messages, request.config, stream);
      if (stream) {
        const startedAt = performance.now();
        const response = await postStream(options.http, url, body, headers, request.signal, label);
        if (!response.ok) throw errorFromResponse(response.response, label, apiKey);
        const result = await readResponseStream(sseEvents(response.chunks), label, startedAt, apiKey);
        return withLimits(result, response.headers);
      }
      const response = await postJson(options.http, url, body, headers, request.signal, label);
      if (response.status < 200 || response.status >= 300) throw errorFromResponse(response, label, apiKey);
      return withLimits(readResponse(response.body, label, response.status, apiKey), response.headers);
    },
  };
}
