import nunjucks from 'nunjucks';
import { ProviderError, UserError } from '../errors.js';
import {
  renderSandboxed,
  SANDBOX_HINT,
  SandboxedEnvironment,
  TemplateSandboxError,
} from '../prompts/sandbox.js';
import type { ChatMessage, GenerationConfig, Usage } from '../types.js';
import { sha256 } from '../util/hash.js';
import { classifyStatus, type JsonResponse, redact, retryAfterMs, sendJson } from './http.js';
import { type HttpOptions, readHttpOptions } from './http-custom-options.js';
import { MissingKeyError } from './missing-key.js';
import type { Provider, ProviderContext, ProviderRequest, ProviderResponse } from './provider.js';
import { type PathSegment, valueAtPath } from './response-path.js';

/** What the url, body and header templates see (headers also get `api_key`). */
interface TemplateContext {
  messages: ChatMessage[];
  /** The last user message's text. */
  prompt: string;
  /** The system messages' text, joined by blank lines; empty when there is none. */
  system: string;
  config: GenerationConfig;
  model: string;
}

// The factory never sees the target's generation config, so the sample answers 1 for any key: a
// template using `config.temperature` must not be rejected because the sample lacks it.
const SAMPLE_CONFIG: GenerationConfig = new Proxy(
  {},
  { get: (_target, key) => (typeof key === 'string' && key !== 'toJSON' ? 1 : undefined) },
);
// Quotes, a newline and a backslash: a body that forgets `| dump` fails on the sample, not in the run.
const SAMPLE_MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'A sample system message.' },
  { role: 'user', content: 'A sample "prompt"\nwith a backslash \\ in it' },
];
const SAMPLE_KEY = 'sample-api-key';
const EXCERPT_CHARS = 200;

/**
 * `http:<name>`: any HTTP JSON API. The request is built from Nunjucks templates in
 * `provider_options` (url, headers, body) and the answer is read from the response at a path
 * (`output`, optional `usage`). The name is only a label.
 */
export function createHttpProvider(context: ProviderContext): Provider {
  const id = `http:${context.rest}`;
  const options = readHttpOptions(context.options.provider_options, id);
  const baseUrl = context.options.base_url as string | undefined;
  const keyEnv = context.options.api_key_env as string | undefined;
  const apiKey = keyEnv ? context.env[keyEnv] : undefined;
  if (keyEnv && !apiKey) {
    throw new MissingKeyError(keyEnv, id, `set ${keyEnv} or remove api_key_env`);
  }
  const templates = compileTemplates(options, id, keyEnv !== undefined);
  const fixedHeaders = (context.options.headers as Record<string, string> | undefined) ?? {};
  const secrets = [apiKey];

  checkSample(templates, baseUrl, id);

  async function call({ messages, config, signal }: ProviderRequest): Promise<ProviderResponse> {
    const values = templateContext(messages, config, context.rest);
    let url: string;
    let body: string | undefined;
    let headers: Record<string, string>;
    try {
      url = resolveUrl(renderSandboxed(templates.url, values), baseUrl, id);
      body = templates.body && renderSandboxed(templates.body, values);
      if (body !== undefined) JSON.parse(body);
      headers = { ...fixedHeaders, ...renderHeaders(templates.headers, { ...values, api_key: apiKey }) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // The request was never sent: the same item fails the same way every time.
      throw new ProviderError(
        'permanent',
        redact(`${id}: could not build the request: ${oneLine(reason)}`, secrets),
        {
          cause: error,
        },
      );
    }
    const response = await sendJson(options.method, url, body, headers, signal, id);
    if (response.status < 200 || response.status >= 300) throw httpError(response, options, id, secrets);
    return toResponse(response, options, id, secrets);
  }

  return {
    id,
    model: context.rest,
    // Everything that changes what a cached answer means, never the key or a header carrying it.
    cacheScope: () =>
      `http ${options.method} ${baseUrl ?? ''}${options.url} ${sha256(
        JSON.stringify([
          options.body ?? null,
          options.output.text,
          options.usage.input?.text ?? null,
          options.usage.output?.text ?? null,
        ]),
        16,
      )}`,
    call,
  };
}

interface Templates {
  url: nunjucks.Template;
  body: nunjucks.Template | undefined;
  headers: Array<[string, nunjucks.Template]>;
}

function compileTemplates(options: HttpOptions, id: string, hasKey: boolean): Templates {
  const environment = new SandboxedEnvironment(null, { autoescape: false, throwOnUndefined: true });
  const compile = (source: string, field: string) => {
    if (!field.startsWith('headers.') && /\bapi_key\b/.test(source)) {
      throw new UserError(
        `${id}: provider_options.${field} uses api_key, which only header templates can see`,
        undefined,
        'send the key in a header, e.g. `headers: { authorization: "Bearer {{ api_key }}" }`, so it never lands in a body or URL',
      );
    }
    if (!hasKey && /\bapi_key\b/.test(source)) {
      throw new UserError(
        `${id}: provider_options.${field} uses api_key, but the target sets no api_key_env`,
        undefined,
        'add `api_key_env: MY_SERVICE_KEY` to the target (the name of the variable holding the key)',
      );
    }
    try {
      return new nunjucks.Template(source, environment, `provider_options.${field}`, true);
    } catch (error) {
      throw templateError(error, field, id);
    }
  };
  return {
    url: compile(options.url, 'url'),
    body: options.body === undefined ? undefined : compile(options.body, 'body'),
    headers: Object.entries(options.headers).map(([name, source]) => [
      name,
      compile(source, `headers.${name}`),
    ]),
  };
}

/** Renders every template once with sample values, so mistakes surface before the first call. */
function checkSample(templates: Templates, baseUrl: string | undefined, id: string): void {
  const values = templateContext(SAMPLE_MESSAGES, SAMPLE_CONFIG, 'sample-model');
  const render = (template: nunjucks.Template, field: string, extra: Record<string, unknown> = {}) => {
    try {
      return renderSandboxed(template, { ...values, ...extra });
    } catch (error) {
      throw templateError(error, field, id);
    }
  };
  resolveUrl(render(templates.url, 'url'), baseUrl, id);
  for (const [name, template] of templates.headers)
    render(template, `headers.${name}`, { api_key: SAMPLE_KEY });
  if (!templates.body) return;
  const body = render(templates.body, 'body');
  try {
    JSON.parse(body);
  } catch (error) {
    throw new UserError(
      `${id}: provider_options.body does not render valid JSON (${(error as Error).message}); with a sample prompt it gave: ${excerpt(body)}`,
      undefined,
      'quote text with the dump filter, e.g. `{"input": {{ prompt | dump }}}`, and check commas and braces',
      { cause: error },
    );
  }
}

function templateContext(messages: ChatMessage[], config: GenerationConfig, model: string): TemplateContext {
  const users = messages.filter((message) => message.role === 'user');
  return {
    messages,
    prompt: users.at(-1)?.content ?? '',
    system: messages
      .filter((message) => message.role === 'system')
      .map((message) => message.content)
      .join('\n\n'),
    config,
    model,
  };
}

function renderHeaders(
  headers: Templates['headers'],
  values: TemplateContext & { api_key: string | undefined },
): Record<string, string> {
  return Object.fromEntries(headers.map(([name, template]) => [name, renderSandboxed(template, values)]));
}

function resolveUrl(rendered: string, baseUrl: string | undefined, id: string): string {
  const url = rendered.trim();
  if (/^https?:\/\//i.test(url)) return url;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    throw new UserError(
      `${id}: provider_options.url must be http or https, got \`${url}\``,
      undefined,
      'use an http(s) URL',
    );
  }
  if (!baseUrl) {
    throw new UserError(
      `${id}: provider_options.url \`${url}\` is relative, but the target has no base_url`,
      undefined,
      'add `base_url: https://api.example.com` to the target, or make url absolute',
    );
  }
  return `${baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

function toResponse(
  response: JsonResponse,
  options: HttpOptions,
  id: string,
  secrets: Array<string | undefined>,
): ProviderResponse {
  const output = valueAtPath(response.body, options.output.path);
  if (output === undefined || output === null) {
    throw new ProviderError(
      'transient',
      redact(
        `${id}: output path ${options.output.text} not found in response: ${excerpt(response.body)}`,
        secrets,
      ),
      { status: response.status },
    );
  }
  return {
    output: typeof output === 'string' ? output : JSON.stringify(output),
    usage: usageOf(response.body, options),
  };
}

// Paths that find no number leave the count unknown, never 0; raw keeps what each path found.
function usageOf(body: unknown, options: HttpOptions): Usage {
  const raw: Record<string, unknown> = {};
  const read = (entry: { text: string; path: PathSegment[] } | undefined): number | undefined => {
    if (!entry) return undefined;
    const value = valueAtPath(body, entry.path);
    if (value !== undefined) raw[entry.text] = value;
    const count = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof count === 'number' && Number.isFinite(count) && count >= 0 ? count : undefined;
  };
  const inputTokens = read(options.usage.input);
  const outputTokens = read(options.usage.output);
  return {
    ...(inputTokens !== undefined ? { inputTokens } : {}),
    ...(outputTokens !== undefined ? { outputTokens } : {}),
    ...(Object.keys(raw).length > 0 ? { raw } : {}),
  };
}

function httpError(
  response: JsonResponse,
  options: HttpOptions,
  id: string,
  secrets: Array<string | undefined>,
): ProviderError {
  const { status, headers, body } = response;
  const retryAfter = retryAfterMs(headers);
  return new ProviderError(
    options.status.get(status) ?? classifyStatus(status),
    redact(`${id}: HTTP ${status}: ${errorText(body)}`, secrets),
    { status, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) },
  );
}

/** The message of the common error shapes (`error`, `error.message`, `message`, `detail`), else an excerpt. */
function errorText(body: unknown): string {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    const error = record.error;
    const nested =
      typeof error === 'object' && error !== null ? (error as Record<string, unknown>).message : undefined;
    for (const candidate of [error, nested, record.message, record.detail]) {
      if (typeof candidate === 'string' && candidate) return excerpt(candidate);
    }
  }
  return body === '' ? 'no error message' : excerpt(body);
}

function excerpt(value: unknown): string {
  const text = oneLine(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
  if (!text) return '(empty body)';
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function templateError(error: unknown, field: string, id: string): UserError {
  const text = error instanceof Error ? error.message : String(error);
  const reason = text
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith('(') && !part.startsWith('['))
    .join(' ');
  const position = /\[Line (\d+), Column (\d+)\]/.exec(text);
  const undefinedName = /attempted to output null or undefined value/.test(text);
  return new UserError(
    `${id}: provider_options.${field}${position ? ` (line ${position[1]}, column ${position[2]})` : ''}: ${reason || text}`,
    undefined,
    text.includes(`${TemplateSandboxError.name}:`)
      ? SANDBOX_HINT
      : undefinedName
        ? 'templates see messages, prompt, system, config and model (headers also api_key); use `| default(...)` for optional config values'
        : 'fix the template syntax',
    { cause: error },
  );
}
