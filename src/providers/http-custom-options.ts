import * as z from 'zod';
import { type ProviderErrorKind, UserError } from '../errors.js';
import { type PathSegment, parsePath } from './response-path.js';

const KINDS = [
  'rate_limit',
  'transient',
  'permanent',
  'quota',
  'timeout',
] as const satisfies readonly ProviderErrorKind[];
const METHODS = ['POST', 'PUT', 'PATCH', 'GET'] as const;

/** `provider_options` of an `http:<name>` target, as written. */
const optionsSchema = z.strictObject({
  url: z.string().min(1),
  method: z.string().toUpperCase().pipe(z.enum(METHODS)).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().min(1).optional(),
  output: z.string().min(1),
  usage: z
    .strictObject({ input: z.string().min(1).optional(), output: z.string().min(1).optional() })
    .optional(),
  status: z.record(z.string().regex(/^[1-5]\d\d$/), z.enum(KINDS)).optional(),
});

type OptionName = keyof z.infer<typeof optionsSchema>;

const EXPECTED: Record<OptionName, { expected: string; fix: string }> = {
  url: {
    expected: 'a path such as /v1/generate (appended to base_url) or an absolute http(s) URL',
    fix: 'add `url: /v1/generate` under provider_options (with base_url), or an absolute URL',
  },
  method: {
    expected: `one of ${METHODS.join(', ')}`,
    fix: `use one of ${METHODS.join(', ')} (default POST)`,
  },
  headers: {
    expected: 'a map of header name to a template string',
    fix: 'write headers as `{ authorization: "Bearer {{ api_key }}" }`',
  },
  body: {
    expected: 'a Nunjucks template string that renders JSON',
    fix: 'write the body as a YAML block string: `body: |` then e.g. `{"input": {{ prompt | dump }}}`',
  },
  output: {
    expected: 'a path into the JSON response, e.g. choices[0].text',
    fix: 'add `output: <path>` naming where the answer is in the response, e.g. `output: result.text`',
  },
  usage: {
    expected: 'a map with optional `input` and `output` paths, e.g. { input: usage.in, output: usage.out }',
    fix: 'write `usage: { input: <path>, output: <path> }`',
  },
  status: {
    expected: `a map of HTTP status (e.g. "503") to one of ${KINDS.join(', ')}`,
    fix: `map statuses to ${KINDS.join(', ')}, e.g. \`status: { "503": transient }\``,
  },
};

/** Validated settings of an `http:` provider; paths are parsed once. */
export interface HttpOptions {
  url: string;
  method: (typeof METHODS)[number];
  headers: Record<string, string>;
  body: string | undefined;
  output: { text: string; path: PathSegment[] };
  usage: { input?: { text: string; path: PathSegment[] }; output?: { text: string; path: PathSegment[] } };
  status: Map<number, ProviderErrorKind>;
}

/** Validates `provider_options`, throwing a UserError that names the field and quotes the bad value. */
export function readHttpOptions(value: unknown, id: string): HttpOptions {
  if (value === undefined) {
    throw new UserError(
      `${id} needs provider_options (at least url and output)`,
      undefined,
      'add `provider_options: { url: /v1/generate, body: ..., output: result.text }` to the target',
    );
  }
  const parsed = optionsSchema.safeParse(value);
  if (!parsed.success) throw optionsError(parsed.error, value, id);
  const { url, method = 'POST', headers = {}, body, output, usage, status = {} } = parsed.data;
  if (method === 'GET' && body !== undefined) {
    throw new UserError(
      `${id}: provider_options.body is set but method is GET, which sends no body`,
      undefined,
      'use method: POST, or put the prompt in the url, e.g. `url: /search?q={{ prompt | urlencode }}`',
    );
  }
  if (method !== 'GET' && body === undefined) {
    throw new UserError(
      `${id}: provider_options.body is required for method ${method}`,
      undefined,
      EXPECTED.body.fix,
    );
  }
  const inputPath = usage?.input === undefined ? undefined : path(usage.input, 'usage.input', id);
  const outputPath = usage?.output === undefined ? undefined : path(usage.output, 'usage.output', id);
  return {
    url,
    method,
    headers,
    body,
    output: path(output, 'output', id),
    usage: { ...(inputPath ? { input: inputPath } : {}), ...(outputPath ? { output: outputPath } : {}) },
    status: new Map(Object.entries(status).map(([code, kind]) => [Number(code), kind])),
  };
}

function path(text: string, field: string, id: string): { text: string; path: PathSegment[] } {
  const parsed = parsePath(text.trim());
  if (!Array.isArray(parsed)) {
    throw new UserError(
      `${id}: provider_options.${field} \`${text}\` is not a path: ${parsed.error}`,
      undefined,
      'write names separated by dots and [n] for array items, e.g. choices[0].message.content',
    );
  }
  return { text, path: parsed };
}

function optionsError(error: z.ZodError, input: unknown, id: string): UserError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length > 0 ? `provider_options.${issue.path.join('.')}` : 'provider_options';
    return new UserError(
      `${id}: unknown ${prefix} field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`,
      undefined,
      issue.path.length > 0
        ? EXPECTED[issue.path[0] as OptionName].fix
        : `use ${Object.keys(EXPECTED).join(', ')}; base_url, api_key_env and config stay on the target`,
    );
  }
  const name = (issue.path[0] ?? '') as OptionName;
  const known = EXPECTED[name] ?? { expected: 'an object', fix: EXPECTED.url.fix };
  const field = ['provider_options', ...issue.path.map(String)].join('.');
  if (issue.code === 'invalid_key') {
    return new UserError(
      `${id}: Expected the keys of provider_options.${name} to be HTTP statuses (100-599), got \`${String(issue.path.at(-1))}\``,
      undefined,
      known.fix,
    );
  }
  const bad = valueAt(input, issue.path);
  if (bad === undefined) return new UserError(`${id}: ${field} is required`, undefined, known.fix);
  const expected = issue.path.length > 1 && name === 'status' ? `one of ${KINDS.join(', ')}` : known.expected;
  return new UserError(`${id}: Expected ${field} to be ${expected}, got ${quote(bad)}`, undefined, known.fix);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return `\`${text.length > 80 ? `${text.slice(0, 80)}…` : text}\` (${Array.isArray(value) ? 'array' : typeof value})`;
}
