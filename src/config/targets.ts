import { UserError } from '../errors.js';
import type { LoadedPrompt } from '../prompts/load.js';
import { parseProviderId } from '../providers/registry.js';
import type { GenerationConfig, PromptTemplate, Target } from '../types.js';
import { parseDuration } from '../util/duration.js';
import { canonicalJson, contentHash } from '../util/hash.js';
import type { ParsedConfig, TargetInput } from './schema.js';
import type { FieldPath } from './source.js';

/** Strings of the config as written, by field path, where they took values from the environment. */
export type WrittenStrings = ReadonlyMap<string, string>;

/** The key of a field path in `WrittenStrings`. */
export function fieldKey(fieldPath: ReadonlyArray<PropertyKey>): string {
  return fieldPath.map(String).join('\0');
}

/**
 * A copy of `value` (found at `fieldPath` in the config) with every string that came from `${VAR}`
 * put back as written; `value` itself when none did.
 */
export function asWritten<T>(value: T, fieldPath: ReadonlyArray<PropertyKey>, written: WrittenStrings): T {
  if (written.size === 0) return value;
  if (typeof value === 'string') return (written.get(fieldKey(fieldPath)) ?? value) as T;
  if (Array.isArray(value)) {
    const copy = value.map((item, index) => asWritten(item, [...fieldPath, index], written));
    return (copy.some((item, index) => item !== value[index]) ? copy : value) as T;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = asWritten(inner, [...fieldPath, key], written);
      if (copy[key] !== inner) changed = true;
    }
    return (changed ? copy : value) as T;
  }
  return value;
}

const SECRET_HEADER = /auth|key|token|secret|cookie|session/i;

/** Credentials written literally in a header (not as `${VAR}`) are not kept in the written form. */
function maskLiteralSecrets(headers: Record<string, string>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    masked[name] = SECRET_HEADER.test(name) && !value.includes('${') ? '(secret)' : value;
  return masked;
}

function targetOptions(input: TargetInput, written = false): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  if (input.base_url) options.base_url = input.base_url;
  if (input.api_key_env) options.api_key_env = input.api_key_env;
  if (input.headers) options.headers = written ? maskLiteralSecrets(input.headers) : input.headers;
  if (input.stream !== undefined) options.stream = input.stream;
  if (input.provider_options) options.provider_options = input.provider_options;
  return options;
}

/**
 * One Target from a configured entry and the prompt it runs. `writtenInput` is the same entry with
 * environment references as written: it is what gets stored and versioned, so a secret's value
 * never reaches the store and rotating a key does not make a new version.
 */
function buildTarget(
  input: TargetInput,
  writtenInput: TargetInput,
  prompt: PromptTemplate,
  name: string,
  where: string,
  defaultTimeout: number,
): Target {
  const options = targetOptions(input);
  const timeoutMs = input.timeout === undefined ? defaultTimeout : parseDuration(input.timeout, where);
  const config = input.config as GenerationConfig;
  const writtenOptions = targetOptions(writtenInput, true);
  const written =
    writtenInput === input && canonicalJson(writtenOptions) === canonicalJson(options)
      ? undefined
      : { config: writtenInput.config as GenerationConfig, options: writtenOptions };
  return {
    name,
    providerId: input.id,
    config,
    prompt,
    options,
    ...(written ? { written } : {}),
    ...(input.price ? { price: input.price } : {}),
    ...(input.rate_limit ? { rateLimit: input.rate_limit } : {}),
    ...(input.fallback ? { fallback: input.fallback } : {}),
    ...(input.degrade ? { degrade: input.degrade } : {}),
    ...(input.timeouts
      ? {
          timeouts: {
            ...(input.timeouts.connect !== undefined
              ? { connectMs: parseDuration(input.timeouts.connect, where) }
              : {}),
            ...(input.timeouts.first_byte !== undefined
              ? { firstByteMs: parseDuration(input.timeouts.first_byte, where) }
              : {}),
            ...(input.timeouts.idle !== undefined
              ? { idleMs: parseDuration(input.timeouts.idle, where) }
              : {}),
          },
        }
      : {}),
    timeoutMs,
    version: contentHash({
      providerId: writtenInput.id,
      config: writtenInput.config,
      prompt: prompt.version,
      base_url: writtenInput.base_url ?? null,
      api_key_env: writtenInput.api_key_env ?? null,
      headers: writtenOptions.headers ?? {},
      provider_options: writtenInput.provider_options ?? null,
      price: writtenInput.price ?? null,
    }),
  };
}

/** Expands each configured target into one Target per prompt it runs. */
export function resolveTargets(
  config: ParsedConfig,
  prompts: LoadedPrompt[],
  locate: (fieldPath: FieldPath) => string,
  written: WrittenStrings = new Map(),
): Target[] {
  const defaultTimeout = parseDuration(config.defaults.timeout, locate(['defaults', 'timeout']));
  const targets: Target[] = [];
  const names = new Map<string, string>();
  config.targets.forEach((entry, index) => {
    const where = locate(['targets', index]);
    const input: TargetInput = typeof entry === 'string' ? { id: entry, config: {} } : entry;
    parseProviderId(
      input.id,
      locate(typeof entry === 'string' ? ['targets', index] : ['targets', index, 'id']),
    );
    const selected = input.prompts
      ? input.prompts.map((name) => {
          const prompt = prompts.find((candidate) => candidate.name === name);
          if (!prompt) {
            throw new UserError(
              `target "${input.label ?? input.id}" names unknown prompt "${name}"`,
              where,
              `known prompts: ${prompts.map((candidate) => candidate.name).join(', ')}`,
            );
          }
          return prompt;
        })
      : prompts;
    const label = input.label ?? input.id;
    const writtenInput = asWritten(input, ['targets', index], written);
    for (const prompt of selected) {
      const name = selected.length > 1 || prompts.length > 1 ? `${label}/${prompt.name}` : label;
      const other = names.get(name);
      if (other)
        throw new UserError(
          `two targets are named "${name}" (also at ${other})`,
          where,
          'give one of them a distinct `label`',
        );
      names.set(name, where);
      targets.push(buildTarget(input, writtenInput, prompt, name, where, defaultTimeout));
    }
  });
  for (const target of targets) {
    for (const name of target.fallback ?? []) {
      if (name === target.name || !names.has(name)) {
        throw new UserError(
          name === target.name
            ? `target "${target.name}" lists itself as its fallback`
            : `target "${target.name}" has unknown fallback "${name}"`,
          names.get(target.name),
          `fallback names other targets: ${[...names.keys()].filter((other) => other !== target.name).join(', ') || '(none)'}`,
        );
      }
    }
  }
  return targets;
}

/** Stands in for the prompt of a judge target: judges get their messages from the scorer. */
const JUDGE_PROMPT: PromptTemplate = {
  name: '(judge)',
  path: '',
  kind: 'chat',
  source: '',
  version: 'judge',
};

/**
 * Resolves the judge of a model-graded assertion: its own `grader` (a target label or a provider
 * id), else the config's `grader:`. Judges answer at temperature 0 unless configured otherwise,
 * so their verdicts are repeatable and cacheable.
 */
export function resolveGrader(
  config: ParsedConfig,
  grader: string | undefined,
  where: string,
  locate: (fieldPath: FieldPath) => string,
  written: WrittenStrings = new Map(),
): Target {
  const defaultTimeout = parseDuration(config.defaults.timeout, locate(['defaults', 'timeout']));
  const spec = grader ?? config.grader;
  const specWhere = grader !== undefined ? where : locate(['grader']);
  if (spec === undefined) {
    throw new UserError(
      'this model-graded assertion has no judge',
      where,
      'set `grader: <target label or provider id>` in assay.yaml, or `grader:` on the assertion',
    );
  }
  let input: TargetInput;
  let writtenInput: TargetInput;
  if (typeof spec === 'string') {
    const index = config.targets.findIndex(
      (entry) => typeof entry !== 'string' && (entry.label ?? entry.id) === spec,
    );
    const configured = config.targets[index];
    if (configured && typeof configured !== 'string') {
      input = configured;
      writtenInput = asWritten(configured, ['targets', index], written);
    } else {
      try {
        parseProviderId(spec, specWhere);
      } catch (error) {
        const labels = config.targets.map((entry) =>
          typeof entry === 'string' ? entry : (entry.label ?? entry.id),
        );
        throw new UserError(
          `grader "${spec}" is neither a target label nor a provider id`,
          specWhere,
          `use one of the targets (${labels.join(', ')}) or a provider id such as openai:gpt-4o-mini`,
          { cause: error },
        );
      }
      input = { id: spec, config: {} };
      writtenInput = { id: asWritten(spec, ['grader'], written), config: {} };
    }
  } else {
    input = spec;
    writtenInput = asWritten(spec, ['grader'], written);
  }
  // Judges answer at temperature 0 unless configured otherwise.
  const judging = (entry: TargetInput): TargetInput => {
    const configured = entry.config as GenerationConfig;
    return configured.temperature === undefined
      ? { ...entry, config: { ...configured, temperature: 0 } }
      : entry;
  };
  const judgeInput = judging(input);
  return buildTarget(
    judgeInput,
    writtenInput === input ? judgeInput : judging(writtenInput),
    JUDGE_PROMPT,
    `judge:${input.label ?? input.id}`,
    specWhere,
    defaultTimeout,
  );
}
