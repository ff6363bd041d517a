import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

/** How far into a file a NUL byte makes it binary (git looks as far). */
const BINARY_PROBE_BYTES = 8000;

/**
 * Reads a text file of the user's (a task, prompt or config file) as UTF-8, a byte-order mark
 * dropped. A file that looks binary, or holds bytes that are not UTF-8, is refused with its place
 * (`display:line`) instead of being read with replacement characters and sent to a model.
 * `what` names the file in messages (`task file`); a file that cannot be read is a UserError too.
 */
export async function readTextFile(file: string, display: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw unreadableFile(error, display, what);
  }
  return decodeText(bytes, display, what);
}

/** The text of a file's bytes, checked as `readTextFile` checks them (for callers that read synchronously). */
export function decodeText(bytes: Buffer, display: string, what: string): string {
  checkNotBinary(bytes, display, what);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notUtf8(`${display}:${lineOfFirstInvalidByte(bytes)}`, what);
  }
}

/**
 * The text of a stream of `file`'s bytes, decoded as UTF-8 piece by piece (see `readTextFile` for
 * what is refused). The file is read again only to name the line of a bad byte.
 */
export async function* decodeTextStream(
  chunks: AsyncIterable<Buffer>,
  file: string,
  display: string,
  what: string,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let probed = 0;
  for await (const chunk of chunks) {
    if (probed < BINARY_PROBE_BYTES) {
      checkNotBinary(chunk.subarray(0, BINARY_PROBE_BYTES - probed), display, what);
      probed += chunk.length;
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw await notUtf8InFile(file, display, what);
    }
    if (text) yield text;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw await notUtf8InFile(file, display, what);
  }
  if (rest) yield rest;
}

/** The error for a streamed file that is not UTF-8, its line found by reading it again. */
async function notUtf8InFile(file: string, display: string, what: string): Promise<UserError> {
  const line = await readFile(file).then(lineOfFirstInvalidByte, () => undefined);
  return notUtf8(line === undefined ? display : `${display}:${line}`, what);
}

function checkNotBinary(bytes: Uint8Array, display: string, what: string): void {
  if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
    throw new UserError(
      `this ${what} looks binary, not text (it holds NUL bytes; a UTF-16 file does too)`,
      display,
      `check the path, and save the ${what} as UTF-8 text`,
    );
  }
}

function notUtf8(where: string, what: string): UserError {
  return new UserError(
    `this ${what} is not UTF-8 text: this line holds bytes of another encoding (Latin-1, Windows-1252?)`,
    where,
    'save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 old > new`',
  );
}

/** A file that cannot be read, as a UserError naming it. */
export function unreadableFile(error: unknown, display: string, what: string): UserError {
  return new UserError(
    `cannot read ${what}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    display,
    'check the path',
    { cause: error },
  );
}

/** The line (from 1) holding the first byte that is not UTF-8; lines split at \n, which UTF-8 never uses inside a character. */
function lineOfFirstInvalidByte(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, start)) {
    if (!isUtf8(bytes.subarray(start, end))) return line;
    line++;
    start = end + 1;
  }
  return line;
}
