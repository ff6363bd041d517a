import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import * as z from 'zod';
import { parseYamlSource } from '../config/source.js';
import { validate } from '../config/validate.js';
import { UserError } from '../errors.js';
import type { PromptTemplate } from '../types.js';
import { matchFiles } from '../util/files.js';
import { contentHash } from '../util/hash.js';
import { readTextFile } from '../util/text-files.js';

const TEXT_EXTENSIONS = new Set(['.njk', '.txt', '.md', '.j2', '.jinja', '.prompt']);
const CHAT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

const messageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string(),
  })
  .strict();

/** `- messages: history` splices the message list held by the task variable `history`. */
const spliceSchema = z
  .object({
    messages: z
      .string()
      .regex(/^[A-Za-z_]\w*$/, 'expected the name of a task variable, e.g. `messages: history`'),
  })
  .strict();

const chatListSchema = z.array(z.unknown()).min(1);

type ChatEntryInput = z.output<typeof messageSchema> | z.output<typeof spliceSchema>;

/** Checks each entry against its own shape, so errors name the entry's field (`[1].role`). */
function chatEntriesSchema(list: unknown[]) {
  const [first, ...rest] = list.map((entry) => (isSpliceEntry(entry) ? spliceSchema : messageSchema));
  return z.tuple([first ?? messageSchema, ...rest]);
}

function isSpliceEntry(entry: unknown): boolean {
  return typeof entry === 'object' && entry !== null && !Array.isArray(entry) && 'messages' in entry;
}

export interface ChatTemplateMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** Where the content text starts in the prompt file, so template errors point into the file. */
  start?: ContentStart;
}

export interface ContentStart {
  line: number;
  column: number;
  /** A `|` or `>` block: every line of the text has the same indentation. */
  block: boolean;
}

/** A chat prompt entry that inserts the list of messages held by a task variable. */
export interface ChatTemplateSplice {
  /** Name of the task variable holding `{ role, content }` messages. */
  splice: string;
  /** Where the variable name is written in the prompt file. */
  start?: ContentStart;
}

export type ChatTemplateEntry = ChatTemplateMessage | ChatTemplateSplice;

/** A prompt file parsed into the messages whose contents are templates. */
export interface LoadedPrompt extends PromptTemplate {
  messages: ChatTemplateEntry[];
}

/** Expands prompt file globs (relative to baseDir) and loads each file. Names must be unique. */
export async function loadPrompts(
  patterns: string[],
  baseDir: string,
  where: string,
): Promise<LoadedPrompt[]> {
  const files = new Set<string>();
  for (const pattern of patterns) {
    const matches = await matchFiles(pattern, baseDir, { absolute: true });
    if (matches.length === 0) {
      throw new UserError(
        `no prompt file matches "${pattern}"`,
        where,
        `create the file or fix the path (relative to ${baseDir})`,
      );
    }
    for (const match of matches.sort()) files.add(match);
  }
  const prompts = await Promise.all([...files].map((file) => loadPromptFile(file, baseDir)));
  const seen = new Map<string, string>();
  for (const prompt of prompts) {
    const other = seen.get(prompt.name);
    if (other) {
      throw new UserError(
        `two prompt files have the name "${prompt.name}": ${other} and ${prompt.path}`,
        where,
        'rename one of them: a prompt is named after its file name without extension',
      );
    }
    seen.set(prompt.name, prompt.path);
  }
  return prompts;
}

export async function loadPromptFile(file: string, baseDir: string): Promise<LoadedPrompt> {
  const extension = path.extname(file).toLowerCase();
  const relative = path.relative(baseDir, file);
  const name = path.basename(file, path.extname(file));
  const source = await readTextFile(file, relative, 'prompt file');
  const version = contentHash(source);
  if (TEXT_EXTENSIONS.has(extension)) {
    return {
      name,
      path: relative,
      kind: 'text',
      source,
      version,
      messages: [{ role: 'user', content: source }],
    };
  }
  if (CHAT_EXTENSIONS.has(extension)) {
    const doc = parseYamlSource(source, file);
    const what = 'chat prompt (a list of {role, content} messages)';
    const list = validate(chatListSchema, doc.value, doc.locate, what);
    const entries: ChatEntryInput[] = validate(chatEntriesSchema(list), list, doc.locate, what);
    const starts = contentStarts(source);
    return {
      name,
      path: relative,
      kind: 'chat',
      source,
      version,
      messages: entries.map((entry, index): ChatTemplateEntry => {
        const start = starts[index];
        const message = 'messages' in entry ? { splice: entry.messages } : entry;
        return start ? { ...message, start } : message;
      }),
    };
  }
  throw new UserError(
    `unsupported prompt file type "${extension}"`,
    relative,
    'use .njk/.txt/.md for a text prompt or .yaml/.json for a list of chat messages',
  );
}

/** File position of each chat message's content text (template lines count from there), or splice variable. */
function contentStarts(source: string): Array<ContentStart | undefined> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  if (!isSeq(doc.contents)) return [];
  return doc.contents.items.map((item) => {
    const node = isMap(item) ? (item.get('content', true) ?? item.get('messages', true)) : undefined;
    if (!isScalar(node) || !node.range) return undefined;
    const at = lineCounter.linePos(node.range[0]);
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      // The text starts on the line after the `|` header, at the block's indentation.
      const text = source.split('\n')[at.line] ?? '';
      return { line: at.line + 1, column: text.length - text.trimStart().length + 1, block: true };
    }
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    return { line: at.line, column: at.col + (quoted ? 1 : 0), block: false };
  });
}
