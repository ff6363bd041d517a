import { apiRoot, endpoint, withoutSegment } from './base-url.js';
import { ConfigGate } from './config-keys.js';
import { geminiError } from './gemini-errors.js';
import { buildGeminiBody, GENERATE_CONTENT_KEYS } from './gemini-request.js';
import { readGeminiResponse, readGeminiStream } from './gemini-response.js';
import { postJson } from './http.js';
import { MissingKeyError } from './missing-key.js';
import type { Provider, ProviderContext, ProviderRequest, ProviderResponse } from './provider.js';
import { postStream } from './stream.js';

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
const KEY_ENVS = ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] as const;
// A base URL that already names an API version (`…/v1beta`, `…/v1`) is used as it is.
const VERSION = { segment: '/v1beta', named: /\/v\d+(?:alpha|beta)?\d*$/ } as const;

function apiKeyOf(context: ProviderContext): string {
  const custom = context.options.api_key_env as string | undefined;
  const names = custom ? [custom] : KEY_ENVS;
  const apiKey = names.map((name) => context.env[name]).find(Boolean);
  if (apiKey) return apiKey;
  const wanted = names.join(' or ');
  throw new MissingKeyError(wanted, `google:${context.rest}`);
}

/**
 * `google:<model>`: the Gemini API (`generateContent`, or `streamGenerateContent?alt=sse` with
 * `stream: true`). Key from GEMINI_API_KEY, else GOOGLE_API_KEY (or `api_key_env`), sent as `x-goog-api-key`.
 */
export function createGeminiProvider(context: ProviderContext): Provider {
  const apiKey = apiKeyOf(context);
  const model = context.rest.replace(/^models\//, '');
  const label = `google:${context.rest}`;
  const gate = new ConfigGate(label, GENERATE_CONTENT_KEYS);
  gate.prepare(context.config);
  const apiBase = apiRoot(
    (context.options.base_url as string | undefined) ?? context.env.GEMINI_BASE_URL ?? DEFAULT_BASE_URL,
    VERSION,
    label,
  );
  const root = endpoint(apiBase, `/models/${encodeURIComponent(model)}`);
  const stream = context.options.stream === true;
  const headers: Record<string, string> = {
    ...((context.options.headers as Record<string, string> | undefined) ?? {}),
    'x-goog-api-key': apiKey,
  };
  return {
    id: label,
    model,
    pricingProvider: 'google',
    cacheScope: () => `gemini ${withoutSegment(apiBase, VERSION.segment)}`,
    async call(request: ProviderRequest): Promise<ProviderResponse> {
      gate.check(request.config);
      const body = buildGeminiBody(request.messages, request.config);
      if (!stream) {
        const response = await postJson(
          endpoint(root, ':generateContent'),
          body,
          headers,
          request.signal,
          label,
        );
        if (response.status < 200 || response.status >= 300) {
          throw geminiError(response.status, response.body, response.headers, label, apiKey);
        }
        return readGeminiResponse(response.body, label, response.status);
      }
      const started = performance.now();
      const url = endpoint(root, ':streamGenerateContent?alt=sse');
      const response = await postStream(url, body, headers, request.signal, label);
      if (!response.ok) {
        const { status, body: errorBody, headers: errorHeaders } = response.response;
        throw geminiError(status, errorBody, errorHeaders, label, apiKey);
      }
      return readGeminiStream(response.chunks, label, started, apiKey);
    },
  };
}
