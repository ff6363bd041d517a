import { access } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SourceDocument } from '../../config/source.js';
import { slug, UniqueNames } from '../names.js';
import { toYaml } from '../output.js';
import { type ChatMessage, chatMessages } from './chat.js';
import { fileRef, isRecord, type PromptfooContext } from './context.js';

/** An Assay prompt file to write. */
export interface PromptOut {
  name: string;
  /** `prompts/<name>.njk` or `.yaml`, relative to the output directory. */
  file: string;
  content: string;
}

const TEXT_EXTENSIONS = new Set(['.txt', '.md', '.j2', '.njk', '.jinja', '.jinja2', '.prompt', '.tmpl']);
const CHAT_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);
const FUNCTION_PROMPT = /\.(js|ts|mjs|cjs|py)(:[\w.]+)?$/i;

interface PromptEntry {
  where: string;
  label?: string;
  /** Inline prompt text. */
  text?: string;
  /** A file path or glob, relative to the config. */
  ref?: string;
  /** How providers may refer to this prompt (`prompts: [...]` on a provider). */
  aliases: string[];
}

interface Candidate {
  base: string;
  kind: 'text' | 'chat';
  body: string | ChatMessage[];
  entry: PromptEntry;
  display: string;
}

async function isFile(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** promptfoo accepts a bare path (`prompts/a.txt`) as well as `file://prompts/a.txt`. */
async function looksLikeFile(text: string, context: PromptfooContext): Promise<boolean> {
  if (/[\n{}]/.test(text)) return false;
  const extension = path.extname(text).toLowerCase();
  return (TEXT_EXTENSIONS.has(extension) || CHAT_EXTENSIONS.has(extension)) && isFile(context.resolve(text));
}

async function promptEntries(
  value: unknown,
  doc: SourceDocument,
  context: PromptfooContext,
): Promise<PromptEntry[]> {
  const fromString = async (text: string, where: string, label?: string): Promise<PromptEntry> => {
    const ref = fileRef(text) ?? ((await looksLikeFile(text, context)) ? text : undefined);
    const aliases = [text, ...(label ? [label] : [])];
    return ref !== undefined ? { where, ref, label, aliases } : { where, text, label, aliases };
  };
  if (typeof value === 'string') return [await fromString(value, doc.locate(['prompts']))];
  if (isRecord(value)) {
    // The older map form: `prompts: { file://a.txt: label }`.
    return Promise.all(
      Object.entries(value).map(([ref, label]) =>
        fromString(ref, doc.locate(['prompts', ref]), typeof label === 'string' ? label : undefined),
      ),
    );
  }
  const entries: PromptEntry[] = [];
  for (const [index, item] of (Array.isArray(value) ? value : []).entries()) {
    const where = doc.locate(['prompts', index]);
    if (typeof item === 'string') entries.push(await fromString(item, where));
    else if (isRecord(item) && (typeof item.raw === 'string' || typeof item.id === 'string')) {
      const label = typeof item.label === 'string' ? item.label : undefined;
      const entry =
        typeof item.raw === 'string'
          ? { where, text: item.raw, label, aliases: label ? [label] : [] }
          : await fromString(String(item.id), where, label);
      if (typeof item.id === 'string') entry.aliases.push(item.id);
      entries.push(entry);
      for (const key of Object.keys(item).filter((key) => !['id', 'raw', 'label'].includes(key))) {
        context.skip(
          `prompt ${label ?? index + 1} ${key}`,
          where,
          `the prompt setting "${key}" is not supported`,
        );
      }
    } else
      context.skip(`prompt ${index + 1}`, where, 'a prompt must be text, a file:// path, or {raw|id, label}');
  }
  return entries;
}

/** Parses a JSON/YAML prompt; promptfoo renders such files before parsing, so a template may not parse. */
function parseChat(text: string): ChatMessage[] | string {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch {
    return 'the file is a template producing JSON, not a plain list of messages; rewrite it as a chat prompt';
  }
  return chatMessages(value);
}

async function candidatesOf(
  entry: PromptEntry,
  index: number,
  context: PromptfooContext,
): Promise<Candidate[]> {
  const label = entry.label;
  if (entry.text !== undefined) {
    const display = `prompt ${label ? `"${label}"` : index + 1}`;
    const base = label ? slug(label) : `prompt-${index + 1}`;
    const trimmed = entry.text.trim();
    const chat = trimmed.startsWith('[') ? parseChat(trimmed) : undefined;
    if (chat !== undefined && typeof chat !== 'string')
      return [{ base, kind: 'chat', body: chat, entry, display }];
    return [{ base, kind: 'text', body: entry.text, entry, display }];
  }
  const ref = entry.ref!;
  if (FUNCTION_PROMPT.test(ref)) {
    context.skip(
      `prompt ${ref}`,
      entry.where,
      'prompt functions (.js, .py) are not supported; save the prompt text instead',
    );
    return [];
  }
  const candidates: Candidate[] = [];
  for (const file of await context.expand(ref, entry.where)) {
    const extension = path.extname(file).toLowerCase();
    const stem = label ? slug(label) : slug(path.basename(file, path.extname(file)), 'prompt');
    const display = `prompt ${file}`;
    if (!TEXT_EXTENSIONS.has(extension) && !CHAT_EXTENSIONS.has(extension) && extension !== '.jsonl') {
      context.skip(display, entry.where, `prompt files of type "${extension}" are not supported`);
      continue;
    }
    const text = await context.readText(file, entry.where);
    if (TEXT_EXTENSIONS.has(extension)) {
      // promptfoo reads several prompts from one text file, separated by `---` lines.
      const parts = text.split(/^---[ \t]*$/m);
      for (const [n, part] of parts.entries()) {
        const body = parts.length > 1 ? part.trim() : part;
        const base = parts.length > 1 ? `${stem}-${n + 1}` : stem;
        if (body.trim()) candidates.push({ base, kind: 'text', body, entry, display });
      }
    } else if (extension === '.jsonl') {
      const lines = text.split('\n').filter((line) => line.trim());
      for (const [n, line] of lines.entries()) {
        candidates.push(
          ...chatCandidate(parseChat(line), `${stem}-${n + 1}`, entry, `${display}:${n + 1}`, context),
        );
      }
    } else candidates.push(...chatCandidate(parseChat(text), stem, entry, display, context));
  }
  return candidates;
}

/** The chat prompt parsed from a file, or nothing (recorded as skipped) when it is not one. */
function chatCandidate(
  parsed: ChatMessage[] | string,
  base: string,
  entry: PromptEntry,
  display: string,
  context: PromptfooContext,
): Candidate[] {
  if (typeof parsed !== 'string') return [{ base, kind: 'chat', body: parsed, entry, display }];
  context.skip(display, entry.where, parsed);
  return [];
}

/**
 * Converts promptfoo `prompts:` into Assay prompt files. Returns them and, for provider `prompts:`
 * lists, each way promptfoo may name a prompt (label, id, path) → the Assay prompt name.
 */
export async function convertPrompts(
  value: unknown,
  doc: SourceDocument,
  context: PromptfooContext,
): Promise<{ prompts: PromptOut[]; names: Map<string, string> }> {
  const prompts: PromptOut[] = [];
  const names = new Map<string, string>();
  const unique = new UniqueNames();
  const entries = await promptEntries(value, doc, context);
  for (const [index, entry] of entries.entries()) {
    for (const candidate of await candidatesOf(entry, index, context)) {
      const texts =
        typeof candidate.body === 'string'
          ? [candidate.body]
          : candidate.body.map((message) => message.content);
      if (texts.some((text) => text.includes('_conversation'))) {
        context.skip(
          candidate.display,
          entry.where,
          'uses {{ _conversation }} (multi-turn history), which Assay does not provide',
        );
        continue;
      }
      const name = unique.take(candidate.base);
      if (texts.some((text) => /\{\{[^}]*\benv\./.test(text))) {
        context.note(
          `prompt "${name}" reads {{ env.* }}: Assay prompts see only task variables, so it fails to render until you change it`,
        );
      }
      const file = `prompts/${name}.${candidate.kind === 'text' ? 'njk' : 'yaml'}`;
      const content =
        typeof candidate.body === 'string'
          ? candidate.body
          : `# Imported from promptfoo (${candidate.display})\n${toYaml(candidate.body)}`;
      prompts.push({ name, file, content });
      for (const alias of [...entry.aliases, name]) if (!names.has(alias)) names.set(alias, name);
    }
  }
  return { prompts, names };
}
