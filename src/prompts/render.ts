import nunjucks from 'nunjucks';
import { UserError } from '../errors.js';
import type { ChatMessage } from '../types.js';
import type { ContentStart, LoadedPrompt } from './load.js';

/** Renders a prompt's messages for one set of variables. Throws UserError naming the prompt file and line. */
export type PromptRenderer = (vars: Record<string, unknown>, where: string) => ChatMessage[];

/** Compiles a prompt once; rendering then only evaluates the compiled templates. */
export function compilePrompt(prompt: LoadedPrompt, baseDir: string): PromptRenderer {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(baseDir, { noCache: false }), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: false,
  });
  const compiled = prompt.messages.map((message) => {
    try {
      const template = new nunjucks.Template(message.content, env, prompt.path, true);
      return { role: message.role, template, start: message.start };
    } catch (error) {
      throw promptError(prompt, message.start, error);
    }
  });
  return (vars, where) =>
    compiled.map(({ role, template, start }) => {
      try {
        return { role, content: template.render(vars) };
      } catch (error) {
        throw promptError(prompt, start, error, where);
      }
    });
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
): UserError {
  const text = error instanceof Error ? error.message : String(error);
  const line = /\[Line (\d+), Column (\d+)\]/.exec(text);
  const reason = text
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith('(') && !part.startsWith('['))
    .join(' ');
  const location = line
    ? `${prompt.path}:${filePosition(start, Number(line[1]), Number(line[2]))}`
    : prompt.path;
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
