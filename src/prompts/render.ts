import nunjucks from 'nunjucks';
import { UserError } from '../errors.js';
import type { ChatMessage } from '../types.js';
import type { TemplateFilter } from './filters.js';
import type { ContentStart, LoadedPrompt } from './load.js';

/** Renders a prompt's messages for one set of variables. Throws UserError naming the prompt file and line. */
export type PromptRenderer = (vars: Record<string, unknown>, where: string) => ChatMessage[];

type CompiledEntry =
  | {
      role: ChatMessage['role'];
      template: nunjucks.Template;
      /** Set when the template is plain text and `{{ name }}` substitutions only. */
      simple: SimpleTemplate | undefined;
      start: ContentStart | undefined;
    }
  | { splice: string; start: ContentStart | undefined };

/** Literal text around variable names: `texts` has one more entry than `names`. */
interface SimpleTemplate {
  texts: string[];
  names: string[];
}

// Only the whitespace nunjucks' lexer skips: any other (\v, U+2028, U+3000…) is part of a name there.
const SUBSTITUTION = /\{\{[ \t\n\r\u00A0]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n\r\u00A0]*\}\}/g;
/** Anything else that is template syntax (tags, comments, whitespace control, stray delimiters). */
const OTHER_SYNTAX = /\{\{|\}\}|\{%|%\}|\{#|#\}/;
/** Names nunjucks reads as literals or operators rather than variables. */
const RESERVED = new Set([
  'true',
  'false',
  'True',
  'False',
  'none',
  'None',
  'null',
  'and',
  'or',
  'not',
  'in',
  'is',
  'if',
  'else',
]);

/**
 * Splits a template that is only text and `{{ name }}` substitutions, the shape most prompts have;
 * anything else (filters, tags, comments, `{{-`) returns undefined and renders through nunjucks.
 */
export function simpleTemplate(source: string): SimpleTemplate | undefined {
  const texts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const match of source.matchAll(SUBSTITUTION)) {
    const name = match[1]!;
    if (RESERVED.has(name)) return undefined;
    texts.push(source.slice(last, match.index));
    names.push(name);
    last = match.index + match[0].length;
  }
  texts.push(source.slice(last));
  const ambiguous = texts.some(
    (text, index) =>
      OTHER_SYNTAX.test(text) ||
      // A brace touching a substitution ("{{{ q }}", "{{ q }}}") lexes differently.
      (index < names.length && text.endsWith('{')) ||
      (index > 0 && text.startsWith('}')),
  );
  return ambiguous ? undefined : { texts, names };
}

/**
 * Renders a simple template as nunjucks would (no autoescape), for values nunjucks writes as their
 * string form: strings, numbers and booleans held as the vars' own keys. Anything else (a missing or
 * inherited variable, null, an object) returns undefined, and nunjucks renders it or words the error.
 */
export function renderSimple(template: SimpleTemplate, vars: Record<string, unknown>): string | undefined {
  let out = template.texts[0]!;
  for (let index = 0; index < template.names.length; index++) {
    const name = template.names[index]!;
    // nunjucks reads a copy of the own enumerable keys (a "__proto__" key becomes a prototype).
    if (name === '__proto__' || !Object.prototype.propertyIsEnumerable.call(vars, name)) return undefined;
    const value = vars[name];
    const kind = typeof value;
    if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return undefined;
    out += `${value as string | number | boolean}${template.texts[index + 1]!}`;
  }
  return out;
}

/** Compiles a prompt once; rendering then only evaluates the compiled templates. */
export function compilePrompt(
  prompt: LoadedPrompt,
  baseDir: string,
  filters: Record<string, TemplateFilter> = {},
): PromptRenderer {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(baseDir, { noCache: false }), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: false,
  });
  for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter);
  const compiled = prompt.messages.map((entry): CompiledEntry => {
    if ('splice' in entry) return { splice: entry.splice, start: entry.start };
    try {
      const template = new nunjucks.Template(entry.content, env, prompt.path, true);
      return { role: entry.role, template, simple: simpleTemplate(entry.content), start: entry.start };
    } catch (error) {
      throw promptError(prompt, entry.start, error, undefined, entry.content);
    }
  });
  return (vars, where) =>
    compiled.flatMap((entry) => {
      if ('splice' in entry) return splicedMessages(prompt, entry.splice, entry.start, vars, where);
      const quick = entry.simple && renderSimple(entry.simple, vars);
      if (quick !== undefined) return [{ role: entry.role, content: quick }];
      try {
        return [{ role: entry.role, content: entry.template.render(vars) }];
      } catch (error) {
        throw promptError(prompt, entry.start, error, where);
      }
    });
}

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);

/** The messages a `- messages: <variable>` entry inserts, checked to be a list of `{ role, content }`. */
function splicedMessages(
  prompt: LoadedPrompt,
  variable: string,
  start: ContentStart | undefined,
  vars: Record<string, unknown>,
  where: string,
): ChatMessage[] {
  const value = vars[variable];
  const problem = spliceProblem(value);
  if (problem === undefined) return (value as ChatMessage[]).map(({ role, content }) => ({ role, content }));
  throw new UserError(
    `rendering for ${where}: variable "${variable}" must be a list of {role, content} messages, but ${problem}`,
    start ? `${prompt.path}:${start.line}:${start.column}` : prompt.path,
    `give the task a "${variable}" variable such as [{role: user, content: "Hi"}] (roles: system, user, assistant)`,
  );
}

function spliceProblem(value: unknown): string | undefined {
  if (value === undefined) return 'the task does not define it';
  if (!Array.isArray(value)) return `it is ${value === null ? 'null' : typeof value}`;
  for (let index = 0; index < value.length; index++) {
    const message: unknown = value[index];
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return `item ${index} is not an object`;
    }
    const { role, content } = message as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return `item ${index} has role ${JSON.stringify(role) ?? 'undefined'}`;
    }
    if (typeof content !== 'string') {
      return `item ${index} has ${content === undefined ? 'no' : `a non-string (${Array.isArray(content) ? 'list' : typeof content})`} content`;
    }
  }
  return undefined;
}

/** Maps a line and column inside a message's template to the prompt file. */
function filePosition(start: ContentStart | undefined, line: number, column: number): string {
  if (!start) return `${line}:${column}`;
  const sameIndent = line === 1 || start.block;
  return `${start.line + line - 1}:${sameIndent ? start.column + column - 1 : column}`;
}

function promptError(
  prompt: LoadedPrompt,
  start: ContentStart | undefined,
  error: unknown,
  where?: string,
  content?: string,
): UserError {
  const text = error instanceof Error ? error.message : String(error);
  // An unclosed block is only noticed at the end of the template: point at its last line.
  const atEnd =
    content !== undefined && /end of file/i.test(text)
      ? ([content.split('\n').length, 1] as const)
      : undefined;
  const numbered = /\[Line (\d+), Column (\d+)\]/.exec(text);
  const line = numbered ? ([Number(numbered[1]), Number(numbered[2])] as const) : atEnd;
  const reason = text
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith('(') && !part.startsWith('['))
    .join(' ');
  const location = line ? `${prompt.path}:${filePosition(start, line[0], line[1])}` : prompt.path;
  const undefinedName = /attempted to output null or undefined value/.test(text);
  return new UserError(
    `${where ? `rendering for ${where}: ` : ''}${reason || text}`,
    location,
    undefinedName
      ? 'the template uses a variable the task does not define: add it to the task vars'
      : 'fix the template syntax',
    { cause: error },
  );
}
