import type { SourceDocument } from '../../config/source.js';
import { parseYamlSource } from '../../config/source.js';
import { configKeysOf } from '../../providers/registry.js';
import { describeValue } from '../../scorers/text.js';
import { UniqueNames } from '../names.js';
import { fileRef, isRecord, isStructured, type PromptfooContext } from './context.js';

/** A promptfoo provider id as an Assay provider id (with a note when the meaning shifts), or why not. */
export type IdMapping = { id: string; note?: string } | { skip: string };

/** An Assay target as written to assay.yaml. */
export interface TargetOut {
  id: string;
  label?: string;
  prompts?: string[];
  config?: Record<string, unknown>;
  base_url?: string;
  api_key_env?: string;
  headers?: Record<string, string>;
  price?: { input_per_mtok: number; output_per_mtok: number };
}

/** Splits `chat:gpt-4o` into a known mode and the model; model names may hold `:` (`llama3:8b`). */
function splitMode(rest: string, modes: readonly string[]): { mode?: string; model: string } {
  const colon = rest.indexOf(':');
  const mode = colon > 0 ? rest.slice(0, colon) : '';
  return modes.includes(mode) ? { mode, model: rest.slice(colon + 1) } : { model: rest };
}

const OPENAI_MODES = [
  'chat',
  'responses',
  'completion',
  'embedding',
  'embeddings',
  'moderation',
  'image',
  'realtime',
  'assistant',
  'transcription',
];

/** Mappers by the part of the id before the first `:`. */
const KINDS: Record<string, (rest: string) => IdMapping> = {
  openai(rest) {
    const { mode, model } = splitMode(rest, OPENAI_MODES);
    if (mode === 'responses') return { id: `openai:responses:${model}` };
    if (mode && mode !== 'chat')
      return { skip: `OpenAI ${mode} models are not supported (Assay calls Chat Completions)` };
    return { id: `openai:${model}` };
  },
  anthropic(rest) {
    const { mode, model } = splitMode(rest, ['messages', 'completion']);
    if (mode === 'completion') return { skip: 'the legacy Anthropic completion API is not supported' };
    if (!mode && !model.startsWith('claude')) return { skip: `"anthropic:${rest}" is not a Claude model id` };
    return { id: `anthropic:${model}` };
  },
  google(rest) {
    const { mode, model } = splitMode(rest, ['live', 'image', 'embedding', 'video']);
    if (mode) return { skip: `Google ${mode} models are not supported` };
    return { id: `google:${model}` };
  },
  vertex(rest) {
    const { mode, model } = splitMode(rest, ['chat', 'embedding']);
    if (mode === 'embedding') return { skip: 'Vertex embedding models are not supported' };
    if (!model.startsWith('gemini'))
      return { skip: 'only Gemini models on Vertex AI are mapped (to google:)' };
    return {
      id: `google:${model}`,
      note: 'called through the Gemini API (GEMINI_API_KEY), not Vertex AI credentials',
    };
  },
  openrouter: (rest) => ({ id: `openrouter:${rest}` }),
  ollama(rest) {
    const { mode, model } = splitMode(rest, ['chat', 'completion', 'embeddings', 'embedding']);
    if (mode === 'embeddings' || mode === 'embedding')
      return { skip: 'Ollama embedding models are not supported' };
    if (mode === 'completion')
      return { id: `ollama:${model}`, note: 'called through /api/chat instead of /api/generate' };
    return { id: `ollama:${model}` };
  },
  http: () => ({
    skip: 'custom HTTP providers are not converted; write an http:<name> target (docs/config.md)',
  }),
  https: () => ({
    skip: 'custom HTTP providers are not converted; write an http:<name> target (docs/config.md)',
  }),
  file: () => ({
    skip: 'promptfoo provider modules (a class with callApi) do not fit Assay file: providers; wrap it in a module exporting a function',
  }),
  python: () => ({ skip: 'Python providers are not supported' }),
  exec: () => ({ skip: 'script providers are not supported; wrap the script in a file: provider module' }),
  golang: () => ({ skip: 'Go providers are not supported' }),
  webhook: () => ({ skip: 'webhook providers are not supported' }),
};

/** promptfoo provider id → Assay provider id. */
export function mapProviderId(id: string): IdMapping {
  if (id === 'echo') return { id: 'echo' };
  const colon = id.indexOf(':');
  const kind = colon === -1 ? id : id.slice(0, colon);
  const rest = colon === -1 ? '' : id.slice(colon + 1);
  const mapper = KINDS[kind];
  if (!mapper) {
    return {
      skip: `Assay has no "${kind}" provider; if it serves the Chat Completions API, use openai-compatible: with base_url`,
    };
  }
  if (!rest && kind !== 'http' && kind !== 'https') return { skip: `"${id}" names no model` };
  return mapper(rest);
}

/** promptfoo-only provider settings, never sent to a model. */
const NOT_GENERATION = new Set([
  'apiHost',
  'organization',
  'transformResponse',
  'transformRequest',
  'functionToolCallbacks',
  'callbackUrl',
  'passthrough',
  'mcp',
  'showThinking',
  'projectId',
  'region',
  'maxRetries',
  'timeout',
]);
const SECRET = /auth|key|token|secret|cookie|session/i;

interface ProviderSource {
  value: unknown;
  where: string;
  locate: (inner: PropertyKey[]) => string;
}

/** Every provider entry of `providers:`, following `file://` references to YAML/JSON lists. */
async function providerEntries(
  value: unknown,
  doc: SourceDocument,
  fieldPath: PropertyKey[],
  context: PromptfooContext,
): Promise<ProviderSource[]> {
  const list = Array.isArray(value) ? value : [value];
  const out: ProviderSource[] = [];
  for (const [index, entry] of list.entries()) {
    const at = Array.isArray(value) ? [...fieldPath, index] : fieldPath;
    const ref = fileRef(entry);
    if (ref !== undefined && isStructured(ref)) {
      const inner = parseYamlSource(await context.readText(ref, doc.locate(at)), context.resolve(ref));
      out.push(...(await providerEntries(inner.value, inner, [], context)));
      continue;
    }
    out.push({ value: entry, where: doc.locate(at), locate: (inner) => doc.locate([...at, ...inner]) });
  }
  return out;
}

/** Converts promptfoo `providers:` to Assay targets, recording what does not carry over. */
export async function convertProviders(
  value: unknown,
  doc: SourceDocument,
  fieldPath: PropertyKey[],
  promptNames: Map<string, string>,
  context: PromptfooContext,
): Promise<TargetOut[]> {
  const targets: TargetOut[] = [];
  const labels = new UniqueNames();
  for (const source of await providerEntries(value, doc, fieldPath, context)) {
    let entry: Record<string, unknown>;
    if (typeof source.value === 'string') entry = { id: source.value };
    else if (isRecord(source.value) && typeof source.value.id === 'string') entry = source.value;
    else if (isRecord(source.value) && 'id' in source.value) {
      context.skip(
        'provider',
        source.locate(['id']),
        `"id" must be a provider id such as openai:gpt-4o-mini, got ${describeValue(source.value.id)}`,
      );
      continue;
    } else if (isRecord(source.value) && Object.keys(source.value).length === 1) {
      // The older map form: `- openai:gpt-4o: { config: {...} }`.
      const [id, settings] = Object.entries(source.value)[0]!;
      entry = { ...(isRecord(settings) ? settings : {}), id };
    } else {
      context.skip(
        'provider',
        source.where,
        `a provider must be an id or an object with "id", got ${describeValue(source.value)}`,
      );
      continue;
    }
    const target = await convertProvider(entry, source, promptNames, context);
    if (!target) continue;
    const name = target.label ?? target.id;
    const unique = labels.take(name);
    if (unique !== name) {
      target.label = unique;
      context.note(`provider "${String(entry.id)}" is labelled "${unique}": its name was already taken`);
    }
    targets.push(target);
  }
  return targets;
}

async function convertProvider(
  entry: Record<string, unknown>,
  source: ProviderSource,
  promptNames: Map<string, string>,
  context: PromptfooContext,
): Promise<TargetOut | undefined> {
  const id = String(entry.id);
  const item = `provider "${typeof entry.label === 'string' ? entry.label : id}"`;
  const mapped = mapProviderId(id);
  if ('skip' in mapped) {
    context.skip(item, source.where, mapped.skip);
    return undefined;
  }
  if (mapped.note) context.note(`${item}: imported as ${mapped.id}, ${mapped.note}`);
  const target: TargetOut = { id: mapped.id };
  for (const [key, setting] of Object.entries(entry)) {
    switch (key) {
      case 'id':
        break;
      case 'label':
        if (typeof setting === 'string' && setting !== mapped.id) target.label = setting;
        break;
      case 'prompts': {
        const names: string[] = [];
        for (const reference of Array.isArray(setting) ? setting : [setting]) {
          const name = promptNames.get(String(reference));
          if (name) names.push(name);
          else
            context.skip(
              `${item} prompts: "${String(reference)}"`,
              source.locate(['prompts']),
              'no imported prompt has this label',
            );
        }
        if (names.length > 0) target.prompts = names;
        break;
      }
      case 'config':
        if (isRecord(setting)) await convertConfig(setting, target, item, source, context);
        break;
      default:
        context.skip(
          `${item} ${key}`,
          source.locate([key]),
          key === 'transform'
            ? 'provider output transforms are not supported'
            : `the provider setting "${key}" is not supported`,
        );
    }
  }
  return target;
}

async function convertConfig(
  config: Record<string, unknown>,
  target: TargetOut,
  item: string,
  source: ProviderSource,
  context: PromptfooContext,
): Promise<void> {
  const generation: Record<string, unknown> = {};
  const skip = (key: string, reason: string) =>
    context.skip(`${item} config.${key}`, source.locate(['config', key]), reason);
  for (const [key, setting] of Object.entries(config)) {
    const ref = fileRef(setting);
    if (ref !== undefined && isStructured(ref))
      generation[key] = await context.readValue(ref, source.locate(['config', key]));
    else if (key === 'apiKey')
      skip(key, 'keys are never copied; set the provider key variable (or api_key_env)');
    else if (key === 'apiKeyEnvar' && typeof setting === 'string') target.api_key_env = setting;
    else if (key === 'apiBaseUrl' && typeof setting === 'string') target.base_url = setting;
    else if (key === 'headers' && isRecord(setting)) {
      for (const [name, header] of Object.entries(setting)) {
        if (typeof header === 'string' && !SECRET.test(name))
          target.headers = { ...target.headers, [name]: header };
        else skip(`headers.${name}`, 'headers that may hold secrets are not copied');
      }
    } else if (key === 'cost' && typeof setting === 'number') {
      const perMillion = setting * 1_000_000;
      target.price = { input_per_mtok: perMillion, output_per_mtok: perMillion };
    } else if (key === 'generationConfig' && isRecord(setting)) Object.assign(generation, setting);
    else if (NOT_GENERATION.has(key)) skip(key, 'a promptfoo-only setting with no Assay counterpart');
    else if (ref !== undefined)
      skip(key, `only JSON and YAML files are inlined (${String(setting)}); paste the value`);
    else generation[key] = setting;
  }
  // Keys the API does not take would stop the run (exit 2): leave them out, and say so.
  const keys = await configKeysOf(target.id);
  for (const key of Object.keys(generation)) {
    if (!keys || keys.accepted.has(key)) continue;
    const reason = keys.reasons?.[key];
    skip(key, `not a request field of ${keys.api}${reason ? ` (${reason})` : ''}`);
    delete generation[key];
  }
  if (Object.keys(generation).length > 0) target.config = generation;
}
