/**
 * Per-request switches that change what a dialect writes inside a 200 answer (stream corruption, omitted
 * usage fields, a scripted reply). The server's `Faults` decide statuses and connections (a mid-stream stall included, as
 * it only cuts the events a dialect wrote); these are read by dialects.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { CONTROL_HEADERS } from './faults.js';

/**
 * `truncate`: stop before the terminal marker; `error`: an in-band error after the first delta;
 * `malformed`: one event of broken JSON after the first content event, then the rest of the stream.
 */
export type StreamFault = 'truncate' | 'error' | 'malformed';

/** The stream fault `headers` ask for; when several are set, an in-band error wins, then malformed JSON. */
export function streamFault(headers: IncomingHttpHeaders): StreamFault | undefined {
  if (isOn(headers[CONTROL_HEADERS.streamError])) return 'error';
  if (isOn(headers[CONTROL_HEADERS.malformed])) return 'malformed';
  if (isOn(headers[CONTROL_HEADERS.truncate])) return 'truncate';
  return undefined;
}

/** Whether Ollama's `prompt_eval_count` should be left out. */
export function omitPromptCount(headers: IncomingHttpHeaders): boolean {
  return isOn(headers[CONTROL_HEADERS.omitPromptCount]);
}

/** The exact answer `x-mock-reply` asks for; a value starting with `"` is a JSON string literal. */
export function requestedReply(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[CONTROL_HEADERS.reply];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !text.startsWith('"')) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'string' ? parsed : text;
  } catch {
    return text;
  }
}

function isOn(value: string | string[] | undefined): boolean {
  const text = Array.isArray(value) ? value[0] : value;
  return text === '1' || text === 'true';
}
