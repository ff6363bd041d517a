/** The request journal: every model-plane request the mock received, with the status it answered. */
import type { IncomingHttpHeaders } from 'node:http';

export interface JournalEntry {
  /** 1, 2, 3… in arrival order; restarts after a reset. */
  id: number;
  method: string;
  /** The request target as sent, query string included. */
  path: string;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it was not JSON; `undefined` when empty. */
  body: unknown;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
  /** Status sent; 0 while pending and for requests that were never answered (hang, reset). */
  status: number;
}

export class Journal {
  private entries: JournalEntry[] = [];
  private nextId = 1;

  /** Appends an entry with status 0; the caller sets `status` when it answers. */
  record(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: unknown,
    receivedAt: number,
  ): JournalEntry {
    const entry: JournalEntry = {
      id: this.nextId++,
      method,
      path,
      headers: flatten(headers),
      body,
      receivedAt,
      status: 0,
    };
    this.entries.push(entry);
    return entry;
  }

  list(): JournalEntry[] {
    return this.entries.slice();
  }

  clear(): void {
    this.entries = [];
    this.nextId = 1;
  }
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
