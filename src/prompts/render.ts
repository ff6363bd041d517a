import nunjucks from 'nunjucks';
import { UserError } from '../errors.js';
import type { ChatMessage } from '../types.js';
import { DEFAULT_TIME_LIMIT, type TimeLimit, TimeLimitError } from '../user-code/time-limit.js';
import type { TemplateFilter } from './filters.js';
import type { ContentStart, LoadedPrompt } from './load.js';
import { renderSandboxed, SANDBOX_HINT, SandboxedEnvironment, TemplateSandboxError } from './sandbox.js';

/** Renders a prompt's messages for one set of variables. Throws UserError naming the prompt file and line. */
export type PromptRenderer = (vars: Record<string, unknown>, where: string) => ChatMessage[];

type CompiledEntry =
  | { role: ChatMessage['role']; template: nunjucks.Template; start: ContentStart | undefined }
  | { splice: string; start: ContentStart | undefined };

/**
 * Compiles a prompt once; rendering then only evaluates the compiled templates, in the template
 * sandbox. With custom filters (the project's code), each render runs under `limit`.
 */
export function compilePrompt(
  prompt: LoadedPrompt,
  baseDir: string,
  filters: Record<string, TemplateFilter> = {},
  limit: TimeLimit = DEFAULT_TIME_LIMIT,
): PromptRenderer {
  const env = new SandboxedEnvironment(new nunjucks.FileSystemLoader(baseDir, { noCache: false }), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: false,
  });
  for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter);
  const guard = Object.keys(filters).length > 0 ? limit : undefined;
  const compiled = prompt.messages.map((entry): CompiledEntry => {
    if ('splice' in entry) return { splice: entry.splice, start: entry.start };
    try {
      const template = new nunjucks.Template(entry.content, env, prompt.path, true);
      return { role: entry.role, template, start: entry.start };
    } catch (error) {
      throw promptError(prompt, entry.start, error, undefined, entry.content);
    }
  });
  return (vars, where) =>
    compiled.flatMap((entry) => {
      if ('splice' in entry) return splicedMessages(prompt, entry.splice, entry.start, vars, where);
      try {
        return [{ role: entry.role, content: renderSandboxed(entry.template, vars, guard) }];
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
  // nunjucks keeps only the message of what a render threw, prefixed with its class name.
  const sandbox = text.includes(`${TemplateSandboxError.name}:`);
  return new UserError(
    `${where ? `rendering for ${where}: ` : ''}${reason || text}`,
    location,
    sandbox
      ? SANDBOX_HINT
      : error instanceof TimeLimitError
        ? 'a template filter of templates.filters probably loops: fix it, or raise the time limit'
        : undefinedName
          ? 'the template uses a variable the task does not define: add it to the task vars'
          : 'fix the template syntax',
    { cause: error },
  );
}
