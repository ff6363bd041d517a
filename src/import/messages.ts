import { UserError } from '../errors.js';
import type { ChatMessage } from '../types.js';

/** A message list Assay can send, or why a valid foreign one cannot be (tool turns, images). */
export type MessagesResult = { messages: ChatMessage[] } | { unsupported: string };

/** Roles spelled differently elsewhere. */
const ROLE_ALIASES: Record<string, ChatMessage['role']> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
};
const TOOL_ROLES = new Set(['tool', 'function', 'ipython']);
/** OpenAI evals write few-shot turns as system messages with these names. */
const EXAMPLE_NAMES: Record<string, ChatMessage['role']> = {
  example_user: 'user',
  example_assistant: 'assistant',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Converts a foreign list of chat messages to `{ role, content }`: lists of text parts are joined,
 * `developer` becomes `system`, and OpenAI evals' few-shot `system` messages named `example_user` /
 * `example_assistant` become user / assistant turns. Malformed input throws a UserError at `where`.
 */
export function toChatMessages(value: unknown, where: string, field: string): MessagesResult {
  if (!Array.isArray(value)) {
    throw new UserError(
      `"${field}" must be a string or a list of {role, content} messages`,
      where,
      'write e.g. [{"role": "user", "content": "Hi"}]',
    );
  }
  const messages: ChatMessage[] = [];
  for (const [index, message] of value.entries()) {
    const at = `"${field}"[${index}]`;
    if (!isRecord(message) || typeof message.role !== 'string') {
      throw new UserError(`${at} must be an object with a "role"`, where, 'roles: system, user, assistant');
    }
    if (TOOL_ROLES.has(message.role) || message.tool_calls !== undefined) {
      return { unsupported: 'tool calls and tool results in the conversation are not supported' };
    }
    const base = ROLE_ALIASES[message.role];
    if (!base) {
      throw new UserError(
        `${at} has unknown role "${message.role}"`,
        where,
        'roles: system, user, assistant',
      );
    }
    const named =
      base === 'system' && typeof message.name === 'string' ? EXAMPLE_NAMES[message.name] : undefined;
    const content = messageText(message.content, `${at}.content`, where);
    if (typeof content !== 'string') return content;
    messages.push({ role: named ?? base, content });
  }
  return { messages };
}

function messageText(content: unknown, at: string, where: string): string | { unsupported: string } {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content) {
      if (typeof part === 'string') texts.push(part);
      else if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      else return { unsupported: 'non-text message content (images, audio) is not supported' };
    }
    return texts.join('\n');
  }
  throw new UserError(`${at} must be text or a list of text parts`, where, 'write "content": "..."');
}
