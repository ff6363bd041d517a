/**
 * A hand-written check of the common Chat Completions answer (one choice, no tool calls), giving
 * exactly what the zod schemas in openai-chat.ts would, at a fraction of the cost on the per-call
 * path. Anything it is not sure about returns undefined, and zod decides (and words the error).
 */

type Loose = Record<string, unknown>;

export interface QuickUsage extends Loose {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: (Loose & { cached_tokens?: number }) | null;
  completion_tokens_details?: (Loose & { reasoning_tokens?: number }) | null;
}

export interface QuickResponse {
  model?: string;
  choices: [
    {
      message: { content?: string | null; refusal?: string | null; tool_calls?: null };
      finish_reason?: string | null;
    },
  ];
  usage?: QuickUsage | null;
}

function isRecord(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const optionalNumber = (value: unknown) => value === undefined || typeof value === 'number';
const optionalText = (value: unknown) => value === undefined || value === null || typeof value === 'string';

/**
 * A loose object as zod 4 outputs it: the known keys present in the input first, in schema order,
 * then the other keys in input order. `known` maps a key to its check-and-copy.
 */
function looseCopy(input: Loose, known: Record<string, (value: unknown) => unknown>): Loose | undefined {
  const out: Loose = {};
  for (const key in known) {
    if (!(key in input)) continue;
    const value = known[key]!(input[key]);
    if (value === INVALID) return undefined;
    out[key] = value;
  }
  for (const key of Object.keys(input)) {
    if (key === '__proto__') return undefined;
    if (!(key in known)) out[key] = input[key];
  }
  return out;
}

const INVALID = Symbol('invalid');
const number = (value: unknown) => (optionalNumber(value) ? value : INVALID);
const details = (field: string) => (value: unknown) => {
  if (value === undefined || value === null) return value;
  if (!isRecord(value)) return INVALID;
  return looseCopy(value, { [field]: number }) ?? INVALID;
};
const USAGE_FIELDS = {
  prompt_tokens: number,
  completion_tokens: number,
  prompt_tokens_details: details('cached_tokens'),
  completion_tokens_details: details('reasoning_tokens'),
};

export function quickParseResponse(body: unknown): QuickResponse | undefined {
  if (!isRecord(body)) return undefined;
  const { model, choices, usage } = body;
  if (model !== undefined && typeof model !== 'string') return undefined;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice: unknown = choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) return undefined;
  const { content, refusal, tool_calls: toolCalls } = choice.message;
  const finishReason = choice.finish_reason;
  if (!optionalText(content) || !optionalText(refusal) || !optionalText(finishReason)) return undefined;
  if (toolCalls !== undefined && toolCalls !== null) return undefined;
  let parsedUsage: QuickUsage | null | undefined = usage as null | undefined;
  if (usage !== undefined && usage !== null) {
    if (!isRecord(usage)) return undefined;
    parsedUsage = looseCopy(usage, USAGE_FIELDS) as QuickUsage | undefined;
    if (!parsedUsage) return undefined;
  }
  const message: QuickResponse['choices'][0]['message'] = {};
  if ('content' in choice.message) message.content = content as string | null | undefined;
  if ('refusal' in choice.message) message.refusal = refusal as string | null | undefined;
  if ('tool_calls' in choice.message) message.tool_calls = null;
  const out: QuickResponse = {
    choices: [
      { message, ...('finish_reason' in choice ? { finish_reason: finishReason as string | null } : {}) },
    ],
  };
  if ('model' in body) out.model = model as string | undefined;
  if ('usage' in body) out.usage = parsedUsage;
  return out;
}
