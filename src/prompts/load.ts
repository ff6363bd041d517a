import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import { z } from 'zod';
import { parseYamlSource } from '../config/source.js';
import { validate } from '../config/validate.js';
import { UserError } from '../errors.js';
import type { PromptTemplate } from '../types.js';
import { contentHash } from '../util/hash.js';

const TEXT_EXTENSIONS = new Set(['.njk', '.txt', '.md', '.j2', '.jinja', '.prompt']);
const CHAT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

const chatSchema = z
  .array(
    z
      .object({
        role: z.enum(['system', 'user', 'assistant']),
        content: z.string(),
      })
      .strict(),
  )
  .min(1);

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

/** A prompt file parsed into the messages whose contents are templates. */
export interface LoadedPrompt extends PromptTemplate {
  messages: ChatTemplateMessage[];
}

/** Expands prompt file globs (relative to baseDir) and loads each file. Names must be unique. */
export async function loadPrompts(
  patterns: string[],
  baseDir: string,
  where: string,
): Promise<LoadedPrompt[]> {
  const files = new Set<string>();
  for (const pattern of patterns) {
    const matches = await glob(pattern, { cwd: baseDir, absolute: true, onlyFiles: true });
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
  const source = await readFile(file, 'utf8');
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
    const messages = validate(
      chatSchema,
      doc.value,
      doc.locate,
      'chat prompt (a list of {role, content} messages)',
    );
    const starts = contentStarts(source);
    return {
      name,
      path: relative,
      kind: 'chat',
      source,
      version,
      messages: messages.map((message, index) => {
        const start = starts[index];
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

/** File position of each chat message's content text (template lines count from there). */
function contentStarts(source: string): Array<ContentStart | undefined> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  if (!isSeq(doc.contents)) return [];
  return doc.contents.items.map((item) => {
    const node = isMap(item) ? item.get('content', true) : undefined;
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
