import { UserError } from '../errors.js';
import type { ToolCall } from '../providers/provider.js';
import type { GenerationConfig } from '../types.js';
import { compileJsonSchema, InvalidSchemaError, type JsonValidator } from './json-schema.js';
import type { ScoreInput, Scorer, ScoreVerdict } from './scorer.js';
import { readOptions } from './scorer-options.js';
import { clip, describeValue, preview } from './text.js';

/** A function tool from the target's config, with its compiled parameters schema. */
interface DeclaredTool {
  validate?: JsonValidator;
  /** Why the parameters schema could not be compiled. */
  schemaProblem?: string;
}

/** A call the model made, with its arguments parsed (`ok: false` when they are not JSON). */
type Call = { name: string; ok: true; arguments: unknown } | { name: string; ok: false; text: string };

/** Tools compiled once per config object: every output of a target shares its tools. */
const toolsByConfig = new WeakMap<object, Map<string, DeclaredTool>>();

/**
 * Checks the tool calls of an answer against the function tools declared in the target's config
 * (`tools:`, OpenAI format `{ type: function, function: { name, parameters } }`). The calls are the
 * provider's (`toolCalls`) or, when it reported none, the output read as the JSON tool-call list
 * Assay writes for such answers. Fails when there is no call, a call names an undeclared tool, or
 * its arguments are not JSON or do not match the tool's `parameters` schema. `value` (a tool name
 * or a list of them) names tools that must be among the calls. Value 1 on a pass, else 0.
 */
export const toolCallScorer: Scorer = {
  name: 'tool-call',
  version: '1',
  prepare(spec, where) {
    readOptions('tool-call', spec, where, []);
    const required = requiredNames(spec.value, where);
    return (input) => {
      const tools = declaredTools(input.config);
      if (typeof tools === 'string') return fail(tools);
      const calls = readCalls(input);
      if (typeof calls === 'string') return fail(calls);
      const problems: string[] = [];
      for (const [index, call] of calls.entries()) {
        const problem = callProblem(call, tools);
        if (problem) problems.push(`call ${index + 1} ${JSON.stringify(call.name)}: ${problem}`);
      }
      const called = calls.map((call) => call.name);
      for (const name of required) {
        if (!called.includes(name))
          problems.push(`expected a call to "${name}"; called: ${called.join(', ')}`);
      }
      if (problems.length > 0) return fail(problems.join('; '));
      const count = calls.length === 1 ? '1 tool call' : `${calls.length} tool calls`;
      return { value: 1, pass: true, reason: `${count}, valid: ${called.join(', ')}` };
    };
  },
};

function fail(reason: string): ScoreVerdict {
  return { value: 0, pass: false, reason };
}

function requiredNames(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  const names = typeof value === 'string' ? [value] : value;
  if (
    Array.isArray(names) &&
    names.length > 0 &&
    names.every((name) => typeof name === 'string' && name !== '')
  ) {
    return names as string[];
  }
  throw new UserError(
    `tool-call "value" must be a tool name or a list of tool names, got ${describeValue(value)}`,
    where,
    'for example value: get_weather, or value: [search, fetch_page]; leave it out to accept any declared tool',
  );
}

function declaredTools(config: GenerationConfig | undefined): Map<string, DeclaredTool> | string {
  const tools: unknown = config?.tools;
  if (!Array.isArray(tools) || tools.length === 0) {
    return "no tools declared in the target's config: add `tools:` (OpenAI format) to the target's config";
  }
  const cached = toolsByConfig.get(tools);
  if (cached) return cached;
  const declared = new Map<string, DeclaredTool>();
  for (const tool of tools) {
    const entry = tool as { type?: unknown; function?: { name?: unknown; parameters?: unknown } } | null;
    const name = entry?.function?.name;
    // Other entries are provider built-ins (web search…), which have no parameters to check.
    if (entry?.type !== 'function' || typeof name !== 'string') continue;
    declared.set(name, compileParameters(entry.function?.parameters));
  }
  if (declared.size === 0) {
    return `no function tools in the target's config: expected { type: function, function: { name, parameters } }, got ${describeValue(tools)}`;
  }
  toolsByConfig.set(tools, declared);
  return declared;
}

function compileParameters(parameters: unknown): DeclaredTool {
  if (parameters === undefined) return {};
  try {
    // Tool schemas are written for providers, which accept their own keywords: not strict.
    return { validate: compileJsonSchema(parameters, { strict: false }) };
  } catch (error) {
    if (!(error instanceof InvalidSchemaError)) throw error;
    return { schemaProblem: error.message };
  }
}

function readCalls(input: ScoreInput): Call[] | string {
  const calls = input.toolCalls ?? callsInOutput(input.output);
  if (calls === undefined)
    return `no tool call: the output is not a tool-call list: ${preview(input.output)}`;
  if (calls.length === 0) return 'no tool call';
  return calls.map((call) => {
    if (typeof call.arguments !== 'string') return { name: call.name, ok: true, arguments: call.arguments };
    // Some providers send an empty string for a call without arguments.
    if (call.arguments.trim() === '') return { name: call.name, ok: true, arguments: {} };
    try {
      return { name: call.name, ok: true, arguments: JSON.parse(call.arguments) as unknown };
    } catch {
      return { name: call.name, ok: false, text: call.arguments };
    }
  });
}

/** The calls of a `toolCallOutput` list: arguments parsed, or left as text when they were not JSON. */
function callsInOutput(output: string): Array<ToolCall | { name: string; arguments: unknown }> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output.trim());
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const calls: Array<{ name: string; arguments: unknown }> = [];
  for (const item of parsed) {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return undefined;
    calls.push({ name, arguments: (item as { arguments?: unknown }).arguments ?? {} });
  }
  return calls;
}

function callProblem(call: Call, tools: Map<string, DeclaredTool>): string | undefined {
  const tool = tools.get(call.name);
  if (!tool) return `not a declared tool (declared: ${[...tools.keys()].join(', ')})`;
  if (!call.ok) return `arguments are not valid JSON: ${preview(call.text)}`;
  if (tool.schemaProblem) return `the tool's parameters schema is invalid: ${clip(tool.schemaProblem)}`;
  const problems = tool.validate?.(call.arguments);
  return problems === undefined ? undefined : `arguments do not match the parameters: ${problems}`;
}
