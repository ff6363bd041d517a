import type { RunEventBus, RunEvents } from '../executor/events.js';
import type { ItemResult, RunRecord } from '../types.js';
import {
  type Colors,
  colorsFor,
  failureReason,
  formatMs,
  formatPercent,
  formatUsd,
  plural,
  truncateLine,
  UNKNOWN,
} from './format.js';

export interface ProgressOptions {
  stream: NodeJS.WriteStream | NodeJS.WritableStream;
  /** One redrawn status line (true) or one plain log line per item (false, for CI logs and pipes). */
  tty: boolean;
  color: boolean;
  /** Monotonic clock in ms. @default performance.now */
  now?: () => number;
}

/** Fewest milliseconds between two redraws of the TTY line (~10 per second). */
export const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 20;
const REASON_CHARS = 80;
const CLEAR_LINE = '\r\x1b[2K';

/** Renders run progress from executor events; returns a function that unsubscribes. */
export function attachProgress(bus: RunEventBus, options: ProgressOptions): () => void {
  return options.tty ? attachLine(bus, options) : attachLog(bus, options);
}

/** Counters only: the TTY renderer must cost next to nothing per item. */
interface Tally {
  startedAt: number;
  done: number;
  total: number;
  /** Items finished in this session (resumed items are in `done` but not here). */
  finished: number;
  passed: number;
  failed: number;
  errors: number;
  costUsd: number | null;
}

function newTally(startedAt: number): Tally {
  return { startedAt, done: 0, total: 0, finished: 0, passed: 0, failed: 0, errors: 0, costUsd: null };
}

function count(tally: Tally, event: RunEvents['item-end']): void {
  const { result } = event;
  tally.done = event.done;
  tally.total = event.total;
  tally.finished++;
  if (result.status === 'passed') tally.passed++;
  else if (result.status === 'failed') tally.failed++;
  else tally.errors++;
  if (result.costUsd !== null) tally.costUsd = (tally.costUsd ?? 0) + result.costUsd;
}

function attachLine(bus: RunEventBus, options: ProgressOptions): () => void {
  const now = options.now ?? (() => performance.now());
  const colors = colorsFor(options.color);
  let tally = newTally(now());
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let lineOpen = false;

  const draw = (at: number, end?: RunEvents['run-end']): void => {
    lastDrawAt = at;
    lineOpen = true;
    const width = 'columns' in options.stream ? options.stream.columns : undefined;
    options.stream.write(CLEAR_LINE + statusLine(tally, at, colors, width, end));
  };

  const off = [
    bus.on('run-start', (event) => {
      tally = newTally(now());
      tally.total = event.total;
      tally.done = event.skipped;
      draw(tally.startedAt);
    }),
    bus.on('item-end', (event) => {
      count(tally, event);
      const at = now();
      if (at - lastDrawAt >= REDRAW_INTERVAL_MS) draw(at);
    }),
    bus.on('run-end', (event) => {
      draw(now(), event);
      options.stream.write('\n');
      lineOpen = false;
    }),
  ];
  return () => {
    for (const unsubscribe of off) unsubscribe();
    // Leave the cursor on a fresh line if the run never reached run-end.
    if (lineOpen) options.stream.write('\n');
    lineOpen = false;
  };
}

function statusLine(
  tally: Tally,
  at: number,
  colors: Colors,
  width: number | undefined,
  end?: RunEvents['run-end'],
): string {
  const elapsedMs = at - tally.startedAt;
  const perSecond = elapsedMs > 0 ? (tally.finished * 1000) / elapsedMs : 0;
  const fraction = tally.total > 0 ? Math.min(1, tally.done / tally.total) : end ? 1 : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const passRate = tally.finished > 0 ? tally.passed / tally.finished : null;

  // Plain text and its painter side by side, so the line can be cut to the terminal width before colouring.
  const parts: Array<[string, (text: string) => string]> = [
    [`${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`, colors.cyan],
    [`${tally.done}/${tally.total}`, colors.bold],
    [`pass ${formatPercent(passRate)}`, passRate === null ? colors.dim : (text) => text],
    [`cost ${formatUsd(tally.costUsd)}`, (text) => text],
  ];
  if (tally.errors > 0) parts.push([plural(tally.errors, 'error'), colors.red]);
  parts.push([`${perSecond > 0 ? formatRate(perSecond) : UNKNOWN}/s`, colors.dim]);
  if (end) {
    parts.push([`done in ${formatMs(end.durationMs)}`, colors.dim]);
    if (end.status !== 'completed') parts.push([end.status, colors.yellow]);
  } else {
    const remaining = Math.max(0, tally.total - tally.done);
    const etaMs = perSecond > 0 ? (remaining * 1000) / perSecond : null;
    parts.push([`ETA ${formatMs(etaMs)}`, colors.dim]);
  }

  // A line wider than the terminal wraps, and `\r` would then redraw only its last row.
  const limit = width && width > 1 ? width - 1 : Number.POSITIVE_INFINITY;
  const plain = (list: typeof parts): string => list.map(([text]) => text).join(' · ');
  while (parts.length > 2 && plain(parts).length > limit) parts.pop();
  const text = plain(parts);
  if (text.length > limit) return text.slice(0, limit);
  return parts.map(([part, paint]) => paint(part)).join(colors.dim(' · '));
}

function formatRate(perSecond: number): string {
  return perSecond < 100 ? perSecond.toFixed(1) : String(Math.round(perSecond));
}

function attachLog(bus: RunEventBus, options: ProgressOptions): () => void {
  const now = options.now ?? (() => performance.now());
  const colors = colorsFor(options.color);
  const write = (line: string): void => {
    options.stream.write(`${line}\n`);
  };
  let tally = newTally(now());
  let repeated = false;

  const off = [
    bus.on('run-start', ({ run, total, skipped, tasks }) => {
      tally = newTally(now());
      repeated = hasRepeats(run, total, tasks);
      write(`run ${run.id}: ${total} items${skipped > 0 ? ` (${skipped} already done)` : ''}`);
    }),
    bus.on('item-end', (event) => {
      count(tally, event);
      const counter = `[${String(event.done).padStart(String(event.total).length)}/${event.total}]`;
      write(`${counter} ${itemLine(event.result, colors, repeated || event.result.repeat > 0)}`);
    }),
    bus.on('retry-scheduled', ({ itemId, attempt, delayMs, reason }) => {
      const detail = reason ? `: ${truncateLine(reason, REASON_CHARS)}` : '';
      write(colors.dim(`retry ${itemId} (attempt ${attempt}) in ${formatMs(delayMs)}${detail}`));
    }),
    bus.on('run-end', ({ run, status, durationMs }) => {
      const counts = `${tally.passed} passed, ${tally.failed} failed, ${plural(tally.errors, 'error')}`;
      write(
        `run ${run.id} ${status} in ${formatMs(durationMs)}: ${counts}, cost ${formatUsd(tally.costUsd)}`,
      );
    }),
  ];
  return () => {
    for (const unsubscribe of off) unsubscribe();
  };
}

/**
 * Whether a run repeats items (`--repeat`, or a task's own `repeat:`: more items than tasks × targets),
 * so each line says which repeat it is.
 */
function hasRepeats(run: RunRecord, total: number, tasks: number | undefined): boolean {
  if (run.options.repeat > 1) return true;
  const targets = Object.keys(run.fingerprint.targetVersions ?? {}).length;
  return tasks !== undefined && targets > 0 && total > tasks * targets;
}

function itemLine(result: ItemResult, colors: Colors, showRepeat: boolean): string {
  // The repeat index as `assay show --repeat` takes it.
  const where = `${result.taskId}  ${result.targetName}${showRepeat ? `  repeat ${result.repeat}` : ''}`;
  const attempts = result.attempts > 1 ? ` (${result.attempts} attempts)` : '';
  if (result.status === 'error') {
    return `${colors.yellow('ERROR')} ${where}  ${failureReason(result, REASON_CHARS)}${attempts}`;
  }
  const timing = `${result.cached ? 'cached' : formatMs(result.latencyMs)} ${formatUsd(result.costUsd)}`;
  if (result.status === 'passed') return `${colors.green('PASS ')} ${where}  ${timing}${attempts}`;
  return `${colors.red('FAIL ')} ${where}  ${timing}${attempts}  ${failureReason(result, REASON_CHARS)}`;
}
