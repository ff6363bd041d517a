import * as z from 'zod';

/** Where a project's store is when its config does not say. */
export const DEFAULT_DATABASE = '.assay/assay.db';

const duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/)])
  .describe('A duration: milliseconds as a number, or a string such as "500ms", "30s", "10m", "12h", "7d".');

const assertionSchema = z
  .object({
    type: z.string().min(1).describe('Scorer name, e.g. `contains`; prefix with `not-` to negate.'),
    value: z.unknown().optional().describe('What the scorer compares against.'),
    weight: z.number().nonnegative().optional().describe('Relative weight in the task score. @default 1'),
    threshold: z
      .number()
      .optional()
      .describe('Scorer-specific threshold (ms for latency, USD for cost, minimum similarity…).'),
    metric: z
      .string()
      .optional()
      .describe('Named metric this assertion feeds, aggregated per run and target (e.g. `accuracy`).'),
    grader: z
      .string()
      .optional()
      .describe('Model-graded scorers: the judge (a target label or a provider id); overrides `grader:`.'),
    prompt: z
      .string()
      .optional()
      .describe('Model-graded scorers: a prompt file replacing the built-in judge prompt.'),
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Scorer-specific options, e.g. `schema` for is-json, `n` for rouge-n, `tolerance` for numeric.',
      ),
  })
  .strict();

export const taskSchema = z
  .object({
    id: z.string().min(1).optional().describe('Stable id; derived from the content when absent.'),
    description: z.string().optional(),
    vars: z.record(z.string(), z.unknown()).default({}).describe('Template variables for the prompt.'),
    expected: z
      .union([z.string(), z.number(), z.boolean()])
      .optional()
      .describe('Expected output; used by scorers without a value, and as `equals` when no assert is given.'),
    assert: z.array(assertionSchema).optional(),
    tags: z.array(z.string()).default([]),
    metadata: z.record(z.string(), z.unknown()).default({}),
    threshold: z.number().min(0).max(1).optional().describe('Weighted score needed to pass (0..1).'),
    repeat: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe(
        "Times this task runs; overrides the suite's and the default repeat (`--repeat` overrides it).",
      ),
  })
  .strict();

const priceSchema = z
  .object({
    input_per_mtok: z.number().nonnegative().describe('USD per million input tokens.'),
    output_per_mtok: z.number().nonnegative().describe('USD per million output tokens.'),
  })
  .strict();

const targetSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .describe('Provider id: `openai:gpt-4o-mini`, `openai-compatible:llama3`, `echo`, `file:./p.ts`.'),
    label: z
      .string()
      .min(1)
      .optional()
      .describe('Name used in reports and `--target`. @default the provider id'),
    prompts: z
      .array(z.string())
      .optional()
      .describe('Prompt names to run with this target. @default all prompts'),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        "Generation parameters (temperature, max_tokens…) and the provider API's own request fields; a key the provider does not take stops the run (exit 2).",
      ),
    base_url: z
      .string()
      .url()
      .optional()
      .describe('API base URL, with or without the version segment, e.g. http://localhost:8000/v1.'),
    api_key_env: z.string().optional().describe('Name of the environment variable holding the API key.'),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('Extra request headers (no secrets: use api_key_env).'),
    price: priceSchema.optional().describe('Price override; otherwise the bundled price registry is used.'),
    timeout: duration.optional().describe('Per-attempt timeout. @default defaults.timeout'),
    timeouts: z
      .object({
        connect: duration.optional().describe('TCP/TLS connect. @default 10s'),
        first_byte: duration.optional().describe('Until the response headers arrive.'),
        idle: duration.optional().describe('Longest silence between two chunks of the body or stream.'),
      })
      .strict()
      .optional()
      .describe('Finer timeouts inside the per-attempt `timeout` (which bounds the whole call).'),
    degrade: z
      .literal('cache')
      .optional()
      .describe(
        'When the provider keeps failing (and fallbacks too), answer from the cache even past its TTL; marked stale.',
      ),
    fallback: z
      .array(z.string())
      .optional()
      .describe(
        'Target names to try in order when this one keeps failing with server errors or its circuit is open.',
      ),
    rate_limit: z
      .object({
        rpm: z.number().positive().optional().describe('Requests per minute this model allows you.'),
        tpm: z
          .number()
          .positive()
          .optional()
          .describe('Tokens per minute (input estimate + max_tokens are reserved).'),
        itpm: z
          .number()
          .positive()
          .optional()
          .describe('Input tokens per minute (Anthropic splits its token limit).'),
        otpm: z.number().positive().optional().describe('Output tokens per minute (max_tokens is reserved).'),
        concurrency: z.number().int().min(1).optional().describe('Calls in flight at once for this model.'),
      })
      .strict()
      .optional()
      .describe('Client-side limits for this model; learned from rate-limit headers when absent.'),
    stream: z
      .boolean()
      .optional()
      .describe('Stream the answer (records time to first token). @default false'),
    provider_options: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Provider-specific settings (e.g. OpenRouter routing), passed to the adapter as they are.'),
  })
  .strict();

const suiteSchema = z
  .object({
    description: z.string().optional(),
    tasks: z.array(z.string()).optional().describe('Task files or globs belonging to this suite.'),
    tags: z.array(z.string()).optional().describe('Tasks carrying any of these tags belong to this suite.'),
    filter: z
      .array(z.string())
      .optional()
      .describe('Filter expressions applied to the suite (e.g. `tag:x`).'),
    repeat: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('Times each task of this suite runs (`--repeat` overrides). @default defaults.repeat'),
  })
  .strict();

const defaultsSchema = z
  .object({
    concurrency: z.number().int().min(1).max(1000).default(10),
    timeout: duration.default('60s').describe('Per-attempt timeout for provider calls.'),
    retries: z.number().int().min(0).max(20).default(3).describe('Retries after the first attempt.'),
    item_timeout: duration
      .default('10m')
      .describe('Wall time one item may take across all its attempts and waits; no retry starts past it.'),
    code_timeout: duration
      .default('5s')
      .describe(
        'Time limit for one call of your own code: a javascript assertion (inline or file:), a render with custom template filters.',
      ),
    cache: z.boolean().default(true),
    cache_ttl: duration.default('14d'),
    repeat: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    prompts: z
      .array(z.string())
      .min(1)
      .describe('Prompt files or globs (.njk, .txt, .md, or .yaml/.json chat message lists).'),
    targets: z.array(z.union([z.string(), targetSchema])).min(1),
    tasks: z
      .array(z.union([z.string(), taskSchema]))
      .min(1)
      .describe('Inline tasks, or task files / globs (.yaml, .json, .jsonl, .csv).'),
    suites: z.record(z.string(), suiteSchema).default({}),
    grader: z
      .union([z.string(), targetSchema.omit({ prompts: true, fallback: true, degrade: true })])
      .optional()
      .describe(
        'Default judge for model-graded scorers (llm-rubric, factuality…): a target label, a provider id, or a target definition.',
      ),
    scorers: z
      .array(z.string())
      .default([])
      .describe('Custom scorer modules (TS or JS) exporting scorers made with `defineScorer`.'),
    templates: z
      .object({
        filters: z
          .string()
          .optional()
          .describe(
            'A module (TS or JS) exporting Nunjucks filters as named functions, usable in every prompt.',
          ),
      })
      .strict()
      .optional()
      .describe('Prompt template settings.'),
    defaults: defaultsSchema.default(defaultsSchema.parse({})),
    budget: z
      .object({
        run_usd: z
          .number()
          .nonnegative()
          .optional()
          .describe('Most one run may spend, in USD (`--max-cost` overrides).'),
        daily_usd: z
          .number()
          .nonnegative()
          .optional()
          .describe('Most all runs of a day may spend, counting what the store already holds.'),
      })
      .strict()
      .optional()
      .describe('Spending caps: a call that would cross one is not made; the rest of the run is skipped.'),
    env_files: z
      .array(z.string())
      .default(['.env'])
      .describe('Files of KEY=value lines loaded into the environment.'),
    database: z
      .string()
      .default(DEFAULT_DATABASE)
      .describe('SQLite database path, relative to the config (the older spelling of store.url).'),
    store: z
      .object({
        url: z
          .string()
          .describe(
            'Where results are stored: a SQLite file path (relative to the config) or sqlite:<path>, or postgres://user@host:5432/database.',
          ),
      })
      .strict()
      .optional()
      .describe('The store; ASSAY_DATABASE_URL or --db override it.'),
  })
  .strict();

export type AssayConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type TaskInput = z.input<typeof taskSchema>;
export type TargetInput = z.output<typeof targetSchema>;

/** Identity helper: gives editors types for `assay.config.ts`. */
export function defineConfig(config: AssayConfig): AssayConfig {
  return config;
}

/** The JSON Schema of the config file, for editor autocompletion. */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
