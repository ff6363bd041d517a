import { describeValue } from '../../scorers/text.js';
import { isRecord } from './context.js';

/** A chat message as an Assay chat prompt holds it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Roles promptfoo's providers accept, as Assay's three (`model` is Gemini's, `developer` OpenAI's). */
const ROLES: Record<string, ChatMessage['role']> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  model: 'assistant',
};

/**
 * The messages of a JSON/YAML chat prompt in any shape promptfoo's providers accept, or why it is
 * not one: OpenAI's `[{role, content}]` with `content` as text or a list of text parts (Anthropic
 * blocks alike), Gemini's `[{role, parts: [{text}]}]`, one Gemini content `{role, parts}`, and
 * `{system_instruction, contents}`.
 */
export function chatMessages(value: unknown): ChatMessage[] | string {
  if (isRecord(value)) {
    if (Array.isArray(value.contents)) {
      const system = value.system_instruction ?? value.systemInstruction;
      const messages = listMessages(value.contents);
      if (typeof messages === 'string' || system === undefined) return messages;
      const text = textOf(isRecord(system) && 'parts' in system ? system.parts : system);
      if (text === undefined) return `system_instruction has non-text content: ${describeValue(system)}`;
      return [{ role: 'system', content: text }, ...messages];
    }
    if (Array.isArray(value.parts)) return listMessages([value]);
    return 'not a chat prompt: expected a list of messages ([{role, content}] or [{role, parts}]) or {contents}';
  }
  if (!Array.isArray(value)) return 'not a chat prompt: expected a list of {role, content} messages';
  return listMessages(value);
}

function listMessages(list: unknown[]): ChatMessage[] | string {
  if (list.length === 0) return 'the chat prompt holds no messages';
  const messages: ChatMessage[] = [];
  for (const [index, message] of list.entries()) {
    const at = `message ${index + 1}`;
    if (!isRecord(message)) return `${at} is not a {role, content} mapping: ${describeValue(message)}`;
    // Gemini contents may leave the role out: it is the user's turn then.
    const written = message.role ?? ('parts' in message ? 'user' : undefined);
    const role = typeof written === 'string' ? ROLES[written] : undefined;
    if (!role) {
      return `${at} has role ${describeValue(written)}; Assay chat prompts take system, user and assistant (developer and model are mapped)`;
    }
    const body = 'content' in message ? message.content : message.parts;
    const content = textOf(body);
    if (content === undefined) {
      return `${at} has non-text content (images, audio, tool calls), which Assay chat prompts do not hold`;
    }
    messages.push({ role, content });
  }
  return messages;
}

/** Text content: a string, or a list of text parts (`"…"`, `{type: text, text}`, `{text}`) joined. */
function textOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (!Array.isArray(body) || body.length === 0) return undefined;
  const texts: string[] = [];
  for (const part of body) {
    if (typeof part === 'string') texts.push(part);
    else if (isRecord(part) && typeof part.text === 'string' && (part.type ?? 'text') === 'text')
      texts.push(part.text);
    else return undefined;
  }
  return texts.join('');
}
