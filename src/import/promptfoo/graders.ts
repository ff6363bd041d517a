import { describeValue } from '../../scorers/text.js';
import { isRecord } from './context.js';
import { mapProviderId } from './providers.js';

/** The judges a promptfoo `provider` grader override names, as Assay provider ids. */
export interface GraderChoice {
  /** For chat judges (llm-rubric, factuality, closed-qa, g-eval, answer-relevance). */
  text?: string;
  /** For `similar`, which compares embeddings. */
  embedding?: string;
}

/** promptfoo's default embedding model for `similar` (OpenAI's, whatever the credentials). */
export const DEFAULT_EMBEDDING_GRADER = 'openai:text-embedding-3-large';

/**
 * promptfoo's default graders by the credentials it finds, in its order of preference (from its
 * model-graded docs): an OpenAI key wins, then Anthropic, then a Gemini / Google AI Studio key.
 * With none of these (or only Azure, Vertex, Mistral or GitHub credentials, which Assay does not
 * map) the OpenAI default stands.
 */
const DEFAULT_GRADERS: ReadonlyArray<{ id: string; keys: readonly string[] }> = [
  { id: 'openai:gpt-5', keys: ['OPENAI_API_KEY'] },
  { id: 'anthropic:claude-sonnet-4-5-20250929', keys: ['ANTHROPIC_API_KEY'] },
  { id: 'google:gemini-2.5-pro', keys: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'PALM_API_KEY'] },
];

/** The grader promptfoo would use when the config names none, and why (which key decided). */
export function defaultGrader(env: Readonly<Record<string, string | undefined>>): {
  id: string;
  reason: string;
} {
  const set = (key: string) => Boolean(env[key]);
  for (const [index, choice] of DEFAULT_GRADERS.entries()) {
    const key = choice.keys.find(set);
    if (!key) continue;
    const earlier = DEFAULT_GRADERS.slice(0, index).map((other) => other.keys[0]!);
    const unset =
      earlier.length > 0 ? ` and ${earlier.join(', ')} ${earlier.length > 1 ? 'are' : 'is'} not` : '';
    return { id: choice.id, reason: `${key} is set${unset}` };
  }
  return { id: DEFAULT_GRADERS[0]!.id, reason: 'no OpenAI, Anthropic or Gemini key is set' };
}

/**
 * The Assay id of one provider reference (`id` or `{ id, config }`), and what did not carry over:
 * settings are dropped (the judge keeps its id), a reference that names no usable provider has no id.
 */
function graderId(provider: unknown, kind: 'text' | 'embedding'): { id?: string; problem?: string } {
  if (typeof provider !== 'string' && !isRecord(provider)) {
    return {
      problem: `a grader must be a provider id or { id, config }, got ${describeValue(provider)}; write e.g. provider: openai:gpt-4o-mini`,
    };
  }
  const id = typeof provider === 'string' ? provider : provider.id;
  if (typeof id !== 'string' || id === '') {
    const found =
      id === undefined
        ? 'the grader has no "id"'
        : `the grader's "id" must be a provider id, got ${describeValue(id)}`;
    return { problem: `${found}; write e.g. id: openai:gpt-4o-mini` };
  }
  const embeddingModel =
    kind === 'embedding' ? /^(openai|ollama):(embedding|embeddings):(.+)$/.exec(id) : null;
  const mapped = embeddingModel ? { id: `${embeddingModel[1]}:${embeddingModel[3]}` } : mapProviderId(id);
  if ('skip' in mapped) return { problem: `grader "${id}": ${mapped.skip}` };
  const settings = isRecord(provider)
    ? Object.keys(provider).filter((key) => key !== 'id' && key !== 'label')
    : [];
  if (settings.length === 0) return { id: mapped.id };
  return {
    id: mapped.id,
    problem: `grader "${id}": its settings (${settings.join(', ')}) are not mapped, so ${mapped.id} judges with Assay's defaults (temperature 0); to keep them, set \`grader: { id, config }\` in assay.yaml`,
  };
}

/**
 * A promptfoo grader override (`options.provider` or an assertion's `provider`) as Assay graders.
 * promptfoo takes an id, `{ id }`, or `{ text, embedding }` (a judge per kind). An embeddings
 * model serves `similar`; any other model serves the chat judges (promptfoo's `similar` ignores it
 * and falls back to its embedding default).
 */
export function graderChoice(provider: unknown): { choice: GraderChoice; problem?: string } {
  if (isRecord(provider) && !('id' in provider) && ('text' in provider || 'embedding' in provider)) {
    const choice: GraderChoice = {};
    let problem: string | undefined;
    for (const kind of ['text', 'embedding'] as const) {
      if (provider[kind] === undefined) continue;
      const mapped = graderId(provider[kind], kind);
      if (mapped.id) choice[kind] = mapped.id;
      problem ??= mapped.problem;
    }
    return problem === undefined ? { choice } : { choice, problem };
  }
  const asEmbedding = graderId(provider, 'embedding');
  const mapped =
    asEmbedding.id && isEmbeddingModel(asEmbedding.id) ? asEmbedding : graderId(provider, 'text');
  const kind = mapped === asEmbedding ? 'embedding' : 'text';
  const choice: GraderChoice = mapped.id ? { [kind]: mapped.id } : {};
  return mapped.problem === undefined ? { choice } : { choice, problem: mapped.problem };
}

/** Whether an Assay provider id names an embeddings model (`openai:text-embedding-3-small`). */
function isEmbeddingModel(id: string): boolean {
  return /embed/i.test(id.slice(id.indexOf(':') + 1));
}
