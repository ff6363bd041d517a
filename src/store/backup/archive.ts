/**
 * The portable backup archive: one gzip-compressed stream of JSON lines, the same for every database.
 *
 *   {"assay":"backup","format":1,"schemaVersion":6,"dialect":"sqlite","createdAt":…,"assayVersion":"…"}
 *   {"table":"runs","columns":["id",…]}          then one JSON array per row, then
 *   {"end":"runs","rows":12,"sha256":"…"}         (the SHA-256 of that table's row lines)
 *   …one such section per table…
 *   {"manifest":{"schemaVersion":6,"tables":{"runs":{"rows":12,"sha256":"…"},…}},"sha256":"…"}
 *
 * The manifest comes last (counts and checksums are known only once every row was written) and carries
 * the SHA-256 of every line before it. Readers check it all before trusting any row.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../errors.js';

export const ARCHIVE_FORMAT = 1;

export interface ArchiveHeader {
  assay: 'backup';
  format: number;
  schemaVersion: number;
  dialect: string;
  createdAt: number;
  assayVersion: string;
}

export interface TableSummary {
  rows: number;
  sha256: string;
}

export interface ArchiveManifest {
  schemaVersion: number;
  tables: Record<string, TableSummary>;
}

/** Builds the archive's lines: a header, then each table's section, then the manifest. */
export class ArchiveLines {
  readonly #all = createHash('sha256');
  readonly #tables: Record<string, TableSummary> = {};
  #table: { name: string; rows: number; hash: Hash } | undefined;

  constructor(readonly header: ArchiveHeader) {}

  #line(value: unknown): string {
    const line = `${JSON.stringify(value)}\n`;
    this.#all.update(line);
    return line;
  }

  start(): string {
    return this.#line(this.header);
  }

  table(name: string, columns: readonly string[]): string {
    this.#table = { name, rows: 0, hash: createHash('sha256') };
    return this.#line({ table: name, columns });
  }

  row(values: readonly unknown[]): string {
    const line = this.#line(values);
    this.#table!.rows++;
    this.#table!.hash.update(line);
    return line;
  }

  endTable(): string {
    const { name, rows, hash } = this.#table!;
    const summary = { rows, sha256: hash.digest('hex') };
    this.#tables[name] = summary;
    this.#table = undefined;
    return this.#line({ end: name, ...summary });
  }

  manifest(): { line: string; manifest: ArchiveManifest } {
    const manifest = { schemaVersion: this.header.schemaVersion, tables: this.#tables };
    return { line: `${JSON.stringify({ manifest, sha256: this.#all.digest('hex') })}\n`, manifest };
  }
}

/** One table of an archive, as a reader sees it: its columns, then its rows in pages. */
export interface ArchiveSection {
  table: string;
  columns: string[];
  rows: AsyncGenerator<unknown[][]>;
}

/** A bad archive: truncated, tampered with, not an archive at all, or from a newer Assay. */
export function archiveError(file: string, problem: string, hint: string, cause?: unknown): UserError {
  return new UserError(problem, file, hint, cause === undefined ? undefined : { cause });
}

const NOT_AN_ARCHIVE = 'give a file written by `assay db backup`';
const DAMAGED = 'the file was cut short or changed after `assay db backup` wrote it: restore another backup';

/**
 * Reads an archive in one pass, checking every count and checksum. `onSection` gets each table (its
 * rows in pages of `pageSize`) and must read them all. Throws a UserError naming the problem on any
 * damage; the caller decides whether what it did with earlier rows stands (restore: a transaction).
 */
export async function readArchive(
  file: string,
  onHeader: (header: ArchiveHeader) => void | Promise<void>,
  onSection: (section: ArchiveSection) => Promise<void>,
  pageSize = 1_000,
): Promise<ArchiveManifest> {
  const input = createReadStream(file);
  const gunzip = createGunzip();
  const lines = createInterface({ input: input.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  // Errors of the file and of decompression reach the line iterator through this.
  let streamError: unknown;
  const fail = (error: unknown) => {
    streamError ??= error;
    lines.close();
  };
  input.on('error', fail);
  gunzip.on('error', fail);
  const iterator = lines[Symbol.asyncIterator]();
  const all = createHash('sha256');
  const next = async (): Promise<string | undefined> => {
    const { value, done } = await iterator.next();
    if (streamError) throw streamError;
    if (done) return undefined;
    return value;
  };
  const parse = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch (error) {
      throw archiveError(file, 'the backup holds a line that is not JSON', DAMAGED, error);
    }
  };

  try {
    const first = await next();
    let header: Partial<ArchiveHeader> | null | undefined;
    try {
      header = first === undefined ? undefined : (JSON.parse(first) as Partial<ArchiveHeader> | null);
    } catch {
      header = undefined;
    }
    if (header?.assay !== 'backup' || typeof header.schemaVersion !== 'number') {
      throw archiveError(file, 'this file is not an Assay backup', NOT_AN_ARCHIVE);
    }
    if (header.format !== ARCHIVE_FORMAT) {
      throw archiveError(
        file,
        `this backup has format ${String(header.format)}; this Assay reads format ${ARCHIVE_FORMAT}`,
        'restore it with the Assay version that wrote it, or a newer one',
      );
    }
    all.update(`${first}\n`);
    await onHeader(header as ArchiveHeader);

    const seen: Record<string, TableSummary> = {};
    for (;;) {
      const line = await next();
      if (line === undefined) throw archiveError(file, 'the backup ends before its manifest', DAMAGED);
      const record = parse(line) as {
        table?: string;
        columns?: string[];
        manifest?: ArchiveManifest;
        sha256?: string;
      };
      if (record.manifest) {
        if (record.sha256 !== all.digest('hex')) {
          throw archiveError(file, 'the backup does not match its checksum', DAMAGED);
        }
        checkManifest(file, record.manifest, seen, header.schemaVersion);
        if ((await next()) !== undefined)
          throw archiveError(file, 'the backup goes on after its manifest', DAMAGED);
        return record.manifest;
      }
      if (typeof record.table !== 'string' || !Array.isArray(record.columns)) {
        throw archiveError(file, 'the backup has a line where a table should start', DAMAGED);
      }
      all.update(`${line}\n`);
      const table = record.table;
      const hash = createHash('sha256');
      let count = 0;
      let ended: { rows?: number; sha256?: string } | undefined;
      async function* rows(): AsyncGenerator<unknown[][]> {
        let page: unknown[][] = [];
        for (;;) {
          const rowLine = await next();
          if (rowLine === undefined)
            throw archiveError(file, `the backup ends inside table ${table}`, DAMAGED);
          all.update(`${rowLine}\n`);
          const value = parse(rowLine);
          if (!Array.isArray(value)) {
            ended = value as typeof ended;
            break;
          }
          hash.update(`${rowLine}\n`);
          count++;
          page.push(value);
          if (page.length >= pageSize) {
            yield page;
            page = [];
          }
        }
        if (page.length > 0) yield page;
      }
      const section = rows();
      await onSection({ table, columns: record.columns, rows: section });
      // A consumer that stopped early still has its rows checked.
      for await (const _ of section);
      const digest = hash.digest('hex');
      if (
        !ended ||
        (ended as { end?: string }).end !== table ||
        ended.rows !== count ||
        ended.sha256 !== digest
      ) {
        throw archiveError(file, `table ${table} in the backup does not match its checksum`, DAMAGED);
      }
      seen[table] = { rows: count, sha256: digest };
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw archiveError(
        file,
        `cannot read the backup: ${(error as Error).message}`,
        'check the path',
        error,
      );
    }
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw archiveError(
        file,
        code === 'Z_BUF_ERROR'
          ? 'the backup is cut short'
          : 'this file is not an Assay backup (not gzip data)',
        code === 'Z_BUF_ERROR' ? DAMAGED : NOT_AN_ARCHIVE,
        error,
      );
    }
    throw error;
  } finally {
    lines.close();
    input.destroy();
  }
}

function checkManifest(
  file: string,
  manifest: ArchiveManifest,
  seen: Record<string, TableSummary>,
  schemaVersion: number,
): void {
  const listed = Object.keys(manifest.tables ?? {}).sort();
  const found = Object.keys(seen).sort();
  const same =
    manifest.schemaVersion === schemaVersion &&
    listed.join() === found.join() &&
    listed.every(
      (name) =>
        manifest.tables[name]?.rows === seen[name]!.rows &&
        manifest.tables[name]?.sha256 === seen[name]!.sha256,
    );
  if (!same) throw archiveError(file, 'the backup does not match its manifest', DAMAGED);
}
