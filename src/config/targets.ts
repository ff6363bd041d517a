import { UserError } from '../errors.js';
import type { LoadedPrompt } from '../prompts/load.js';
import { parseProviderId } from '../providers/registry.js';
import type { GenerationConfig, PromptTemplate, Target } from '../types.js';
import { parseDuration } from '../util/duration.js';
import { contentHash } from '../util/hash.js';
import type { ParsedConfig, TargetInput } from './schema.js';
import type { FieldPath } from './source.js';

const SECRET_HEADER = /auth|key|token|secret|cookie|session/i;

/** Header names and values that identify the endpoint; values that may be secrets are left out. */
function semanticHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    out[name.toLowerCase()] = SECRET_HEADER.test(name) ? '(secret)' : value;
  return out;
}

/** One Target from a configured entry and the prompt it runs. */
function buildTarget(
  input: TargetInput,
  prompt: PromptTemplate,
  name: string,
  where: string,
  defaultTimeout: number,
): Target {
  const options: Record<string, unknown> = {};
  if (input.base_url) options.base_url = input.base_url;
  if (input.api_key_env) options.api_key_env = input.api_key_env;
  if (input.headers) options.headers = input.headers;
  if (input.stream !== undefined) options.stream = input.stream;
  if (input.provider_options) options.provider_options = input.provider_options;
  const timeoutMs = input.timeout === undefined ? defaultTimeout : parseDuration(input.timeout, where);
  const config = input.config as GenerationConfig;
  return {
    name,
    providerId: input.id,
    config,
    prompt,
    options,
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
      providerId: input.id,
      config,
      prompt: prompt.version,
      base_url: input.base_url ?? null,
      api_key_env: input.api_key_env ?? null,
      headers: semanticHeaders(input.headers),
      provider_options: input.provider_options ?? null,
      price: input.price ?? null,
    }),
  };
}

/** Expands each configured target into one Target per prompt it runs. */
export function resolveTargets(
  config: ParsedConfig,
  prompts: LoadedPrompt[],
  locate: (fieldPath: FieldPath) => string,
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
      targets.push(buildTarget(input, prompt, name, where, defaultTimeout));
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
  if (typeof spec === 'string') {
    const configured = config.targets.find(
      (entry) => typeof entry !== 'string' && (entry.label ?? entry.id) === spec,
    );
    if (configured && typeof configured !== 'string') input = configured;
    else {
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
    }
  } else {
    input = spec;
  }
  const configured = input.config as GenerationConfig;
  const judgeInput: TargetInput = {
    ...input,
    config: configured.temperature === undefined ? { ...configured, temperature: 0 } : configured,
  };
  return buildTarget(judgeInput, JUDGE_PROMPT, `judge:${input.label ?? input.id}`, specWhere, defaultTimeout);
}
