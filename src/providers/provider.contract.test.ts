/** Every HTTP adapter against the provider contract, each pointed at the one mock server of this file. */
import { CONTRACT_API_KEY, describeProviderContract, useContractServers } from './provider.contract.js';
import { createProvider } from './registry.js';
import { testHttp } from './test-helpers.js';

const servers = useContractServers();
const bearer = { name: 'authorization', value: `Bearer ${CONTRACT_API_KEY}` };
const chatUsage = { inputTokens: 'prompt_tokens', outputTokens: 'completion_tokens' };

/** A provider built the way a config would build it: registry id, target options and environment. */
function build(id: string, options: Record<string, unknown>, env: Record<string, string>) {
  return createProvider(
    id,
    { options, env, baseDir: process.cwd(), http: testHttp },
    `contract test of ${id}`,
  );
}

/** Target options the suite controls: fault headers and the transport. */
function targetOptions({ headers, stream }: { headers?: Record<string, string>; stream?: boolean }) {
  return { ...(headers ? { headers } : {}), ...(stream !== undefined ? { stream } : {}) };
}

describeProviderContract(
  'openai',
  ({ origin, ...options }) =>
    build('openai:gpt-4o-mini', targetOptions(options), {
      OPENAI_API_KEY: CONTRACT_API_KEY,
      OPENAI_BASE_URL: `${origin}/v1`,
    }),
  { servers, keyHeader: bearer, streams: true, rawUsage: chatUsage, retryHint: true, embeds: true },
);

describeProviderContract(
  'openai:responses',
  ({ origin, ...options }) =>
    // A bare origin: the adapter adds /v1 itself.
    build('openai:responses:gpt-4.1-mini', targetOptions(options), {
      OPENAI_API_KEY: CONTRACT_API_KEY,
      OPENAI_BASE_URL: origin,
    }),
  {
    servers,
    keyHeader: bearer,
    streams: true,
    rawUsage: { inputTokens: 'input_tokens', outputTokens: 'output_tokens' },
    retryHint: true,
  },
);

describeProviderContract(
  'openai-compatible',
  ({ origin, ...options }) =>
    build(
      'openai-compatible:mock-model',
      { ...targetOptions(options), base_url: `${origin}/v1`, api_key_env: 'LOCAL_LLM_KEY' },
      { LOCAL_LLM_KEY: CONTRACT_API_KEY },
    ),
  { servers, keyHeader: bearer, streams: true, rawUsage: chatUsage, retryHint: true, embeds: true },
);

describeProviderContract(
  'anthropic',
  ({ origin, ...options }) =>
    build('anthropic:claude-3-5-haiku-latest', targetOptions(options), {
      ANTHROPIC_API_KEY: CONTRACT_API_KEY,
      ANTHROPIC_BASE_URL: origin,
    }),
  {
    servers,
    keyHeader: { name: 'x-api-key', value: CONTRACT_API_KEY },
    streams: true,
    rawUsage: { inputTokens: 'input_tokens', outputTokens: 'output_tokens' },
    retryHint: true,
  },
);

describeProviderContract(
  'google',
  ({ origin, ...options }) =>
    build('google:gemini-2.5-flash', targetOptions(options), {
      GEMINI_API_KEY: CONTRACT_API_KEY,
      GEMINI_BASE_URL: origin,
    }),
  {
    servers,
    keyHeader: { name: 'x-goog-api-key', value: CONTRACT_API_KEY },
    streams: true,
    rawUsage: { inputTokens: 'promptTokenCount', outputTokens: 'candidatesTokenCount' },
    // Gemini sends no retry-after header; the wait is the error's RetryInfo.retryDelay.
    retryHint: true,
  },
);

describeProviderContract(
  'openrouter',
  ({ origin, ...options }) =>
    build('openrouter:openai/gpt-4o-mini', targetOptions(options), {
      OPENROUTER_API_KEY: CONTRACT_API_KEY,
      OPENROUTER_BASE_URL: `${origin}/api/v1`,
    }),
  { servers, keyHeader: bearer, streams: true, rawUsage: chatUsage, retryHint: true, embeds: true },
);

describeProviderContract(
  'ollama',
  ({ origin, ...options }) =>
    // A key only behind an auth proxy; the suite sets one so its travel and redaction are checked too.
    build(
      'ollama:llama3.2',
      { ...targetOptions(options), api_key_env: 'OLLAMA_API_KEY' },
      { OLLAMA_API_KEY: CONTRACT_API_KEY, OLLAMA_HOST: origin },
    ),
  {
    servers,
    keyHeader: bearer,
    streams: true,
    rawUsage: { inputTokens: 'prompt_eval_count', outputTokens: 'eval_count' },
    // Ollama leaves prompt_eval_count out when the prompt came from its cache.
    optionalUsage: ['inputTokens'],
    // Ollama's 429 ("server busy") carries no retry-after.
    retryHint: false,
    embeds: true,
  },
);
