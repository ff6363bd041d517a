/**
 * When the mock answers with tool calls instead of text, in terms shared by every dialect. Each dialect
 * reads its own `tools` / `tool_choice` fields into a `ToolUse` and renders the calls in its own shape.
 *
 * The rule (also in docs/mock.md):
 * - `none` (or no tools): never call.
 * - forced (one function named by the request): call it.
 * - `required` / `any`: call each offered tool the last user message names, else the first one offered.
 * - `auto`: call each offered tool the last user message names (its name as a whole word, any case);
 *   name none and the mock answers with text. After a tool result, `auto` answers with text.
 * Calls come in the order the message names the tools; without parallel calls only the first is made.
 * Arguments: the first JSON object written after the tool's name in the message (before the next tool
 * it names), else an example built from the tool's parameter schema (see `exampleValue`).
 */

/** A function the request offers. */
export interface ToolSpec {
  name: string;
  /** JSON Schema of the arguments (Gemini's OpenAPI subset, upper-case types included); may be absent. */
  parameters: unknown;
}

/** What the request allows: `names` narrows the tools the mock may pick (OpenAI `allowed_tools`, Gemini `allowedFunctionNames`). */
export type ToolChoice =
  | { mode: 'auto' | 'required'; names?: readonly string[] }
  | { mode: 'none' }
  | { mode: 'forced'; name: string };

export interface ToolUse {
  tools: readonly ToolSpec[];
  choice: ToolChoice;
  /** Whether several calls may come in one answer (OpenAI `parallel_tool_calls`, Anthropic's opposite `disable_parallel_tool_use`). */
  parallel: boolean;
}

/** One call the mock makes. */
export interface MockToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** The last user-side turn of a conversation, as the tool rule needs it. */
export interface LastTurn {
  /** Its text (the tool result's text when the turn returns one). */
  text: string;
  /** The turn returns a tool result. */
  toolResult: boolean;
}

// Deep enough for any real parameter schema; stops a self-referencing `$ref` from looping.
const MAX_DEPTH = 12;

/** The calls the mock makes for this request; empty means a text answer. */
export function chooseToolCalls(use: ToolUse | undefined, turn: LastTurn): MockToolCall[] {
  if (!use || use.tools.length === 0 || use.choice.mode === 'none') return [];
  const { choice } = use;
  if (choice.mode === 'forced') {
    const tool = use.tools.find((candidate) => candidate.name === choice.name);
    return tool ? [call(tool, turn.text, mentioned([tool], turn.text)[0]?.end)] : [];
  }
  const offered = choice.names
    ? use.tools.filter((tool) => choice.names?.includes(tool.name))
    : [...use.tools];
  if (offered.length === 0 || (choice.mode === 'auto' && turn.toolResult)) return [];
  let picked = mentioned(offered, turn.text);
  if (picked.length === 0) {
    if (choice.mode === 'auto') return [];
    picked = [{ tool: offered[0]!, start: -1, end: -1 }];
  }
  const calls = picked.map(({ tool, end }, index) => call(tool, turn.text, end, picked[index + 1]?.start));
  return use.parallel ? calls : calls.slice(0, 1);
}

/**
 * A small value that satisfies `schema`: `const`, the first `enum` value or `default` when given;
 * otherwise by type — every declared property of an object, `minItems` items of an array, `"mock"`
 * for a string (padded to `minLength`), the lower bound (else 0) for a number, `false`, `null`. The
 * first branch of `anyOf`/`oneOf` that is not `null`, `allOf` merged, local `$ref`s followed.
 */
export function exampleValue(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === 'string') return exampleValue(resolveRef(root, schema.$ref), root, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema) return schema.default;
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length > 0) {
    const variant = variants.find((item) => !(isObject(item) && lower(item.type) === 'null')) ?? variants[0];
    return exampleValue(variant, root, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const merged = Object.assign({}, ...schema.allOf.filter(isObject), { allOf: undefined });
    return exampleValue(merged, root, depth + 1);
  }
  const types = Array.isArray(schema.type) ? schema.type.map(lower) : [lower(schema.type)];
  const type = types.find((item) => item !== 'null') ?? types[0];
  switch (type) {
    case 'string': {
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return 'mock'.padEnd(min, 'k');
    }
    case 'integer':
    case 'number':
      return lowerBound(schema, type === 'integer');
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: count }, () => exampleValue(schema.items, root, depth + 1));
    }
    default:
      if (type === 'object' || isObject(schema.properties)) return exampleObject(schema, root, depth);
      return null;
  }
}

function exampleObject(
  schema: Record<string, unknown>,
  root: unknown,
  depth: number,
): Record<string, unknown> {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const value: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    value[name] = exampleValue(property, root, depth + 1);
  }
  return value;
}

function lowerBound(schema: Record<string, unknown>, integer: boolean): number {
  const step = integer ? 1 : 0.5;
  let value = 0;
  if (typeof schema.minimum === 'number') value = schema.minimum;
  else if (typeof schema.exclusiveMinimum === 'number') value = schema.exclusiveMinimum + step;
  else if (typeof schema.maximum === 'number' && schema.maximum < 0) value = schema.maximum;
  else if (typeof schema.exclusiveMaximum === 'number' && schema.exclusiveMaximum <= 0)
    value = schema.exclusiveMaximum - step;
  return integer ? Math.ceil(value) : value;
}

/** `#/$defs/Name` and `#/definitions/Name` style pointers into the root schema. */
function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(1).split('/').filter(Boolean)) {
    if (!isObject(node)) return undefined;
    node = node[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

interface Mention {
  tool: ToolSpec;
  /** Where the name starts in the message, and the index just past it. */
  start: number;
  end: number;
}

/** Tools whose name the text contains as a whole word (any case), in the order of their first mention. */
function mentioned(tools: readonly ToolSpec[], text: string): Mention[] {
  const folded = text.toLowerCase();
  const found: Mention[] = [];
  for (const tool of tools) {
    const name = tool.name.toLowerCase();
    let from = 0;
    for (let index = folded.indexOf(name); index >= 0; index = folded.indexOf(name, from)) {
      from = index + 1;
      const end = index + name.length;
      if (isNameCharacter(folded[index - 1]) || isNameCharacter(folded[end])) continue;
      found.push({ tool, start: index, end });
      break;
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

function isNameCharacter(character: string | undefined): boolean {
  return character !== undefined && /[\p{L}\p{N}_-]/u.test(character);
}

function call(tool: ToolSpec, text: string, from = -1, until = text.length): MockToolCall {
  const written = from >= 0 ? objectBetween(text, from, until) : undefined;
  const example = exampleValue(tool.parameters);
  return { name: tool.name, arguments: written ?? (isObject(example) ? example : {}) };
}

/** The first JSON object that starts from `from` and before `until` in `text`, when one parses. */
function objectBetween(text: string, from: number, until: number): Record<string, unknown> | undefined {
  const start = text.indexOf('{', from);
  if (start < 0 || start >= until) return undefined;
  for (let end = text.indexOf('}', start); end >= 0; end = text.indexOf('}', end + 1)) {
    try {
      const value: unknown = JSON.parse(text.slice(start, end + 1));
      return isObject(value) ? value : undefined;
    } catch {
      // Not complete yet: try the next closing brace.
    }
  }
  return undefined;
}

function lower(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
