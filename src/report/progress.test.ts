import { describe, expect, it } from 'vitest';
import { RunEventBus } from '../executor/events.js';
import type { ItemResult } from '../types.js';
import { attachProgress } from './progress.js';
import { makeError, makeFailed, makeResult, makeRun } from './test-helpers.js';

const CLEAR_LINE = '\r\x1b[2K';

function fakeStream(columns?: number) {
  const chunks: string[] = [];
  const stream = {
    columns,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, chunks, text: () => chunks.join('') };
}

function itemEnd(bus: RunEventBus, result: ItemResult, done: number, total: number) {
  bus.emit('item-end', { result, done, total });
}

describe('attachProgress without a TTY', () => {
  it('logs one plain line per event', () => {
    const bus = new RunEventBus();
    const out = fakeStream();
    attachProgress(bus, { stream: out.stream, tty: false, color: false });

    bus.emit('run-start', { run: makeRun({ id: 'r42' }), total: 100, skipped: 20 });
    itemEnd(
      bus,
      makeResult({ taskId: 'greet', targetName: 'gpt', latencyMs: 234, costUsd: 0.0001 }),
      21,
      100,
    );
    itemEnd(
      bus,
      makeFailed({ taskId: 'capital', targetName: 'gpt', latencyMs: 1500, costUsd: null }),
      22,
      100,
    );
    bus.emit('retry-scheduled', {
      runId: 'r',
      itemId: 'item-9',
      attempt: 2,
      delayMs: 1200,
      reason: 'rate_limit: 429',
    });
    itemEnd(bus, makeError('rate_limit', 'Too Many\nRequests', { taskId: 'busy', attempts: 3 }), 23, 100);
    itemEnd(bus, makeResult({ taskId: 'again', cached: true, costUsd: 0 }), 100, 100);
    bus.emit('run-end', { run: makeRun({ id: 'r42' }), status: 'completed', durationMs: 12_345 });

    expect(out.text().split('\n')).toEqual([
      'run r42: 100 items (20 already done)',
      '[ 21/100] PASS  greet  gpt  234ms $0.0001',
      '[ 22/100] FAIL  capital  gpt  1.5s –  contains: expected "Paris"',
      'retry item-9 (attempt 2) in 1.2s: rate_limit: 429',
      '[ 23/100] ERROR busy  gpt  rate_limit: Too Many Requests (3 attempts)',
      '[100/100] PASS  again  gpt  cached $0',
      'run r42 completed in 12.3s: 2 passed, 1 failed, 1 error, cost $0.0001',
      '',
    ]);
  });

  it('says which repeat an item is when the run repeats items', () => {
    const lines = (run: ReturnType<typeof makeRun>, tasks: number, total: number) => {
      const bus = new RunEventBus();
      const out = fakeStream();
      attachProgress(bus, { stream: out.stream, tty: false, color: false });
      bus.emit('run-start', { run, total, skipped: 0, tasks });
      itemEnd(
        bus,
        makeResult({ taskId: 'greet', targetName: 'gpt', latencyMs: 234, costUsd: 0, repeat: 0 }),
        1,
        total,
      );
      itemEnd(
        bus,
        makeResult({ taskId: 'greet', targetName: 'gpt', latencyMs: 234, costUsd: 0, repeat: 2 }),
        2,
        total,
      );
      return out.text().split('\n').slice(1, 3);
    };
    const repeated = makeRun({ options: { suite: null, filters: [], targets: [], repeat: 3 } });
    expect(lines(repeated, 1, 3)).toEqual([
      '[1/3] PASS  greet  gpt  repeat 0  234ms $0',
      '[2/3] PASS  greet  gpt  repeat 2  234ms $0',
    ]);
    // A task's own `repeat:` makes more items than tasks × targets.
    expect(lines(makeRun(), 2, 4)[0]).toBe('[1/4] PASS  greet  gpt  repeat 0  234ms $0');
    // Without repeats, nothing is added.
    expect(lines(makeRun(), 2, 2)[0]).toBe('[1/2] PASS  greet  gpt  234ms $0');
  });

  it('omits the resume note on a fresh run and colors only when asked', () => {
    const bus = new RunEventBus();
    const plain = fakeStream();
    const colored = fakeStream();
    attachProgress(bus, { stream: plain.stream, tty: false, color: false });
    attachProgress(bus, { stream: colored.stream, tty: false, color: true });
    bus.emit('run-start', { run: makeRun(), total: 3, skipped: 0 });
    itemEnd(bus, makeResult(), 1, 3);
    expect(plain.chunks[0]).toBe('run run-1: 3 items\n');
    expect(plain.text()).not.toContain('\x1b[');
    expect(colored.text()).toContain('\x1b[');
  });

  it('stops writing once detached', () => {
    const bus = new RunEventBus();
    const out = fakeStream();
    const detach = attachProgress(bus, { stream: out.stream, tty: false, color: false });
    detach();
    bus.emit('run-start', { run: makeRun(), total: 3, skipped: 0 });
    itemEnd(bus, makeResult(), 1, 3);
    expect(out.chunks).toEqual([]);
  });
});

describe('attachProgress on a TTY', () => {
  function setup(columns?: number) {
    const bus = new RunEventBus();
    const out = fakeStream(columns);
    let time = 0;
    const clock = { set: (ms: number) => (time = ms) };
    const detach = attachProgress(bus, { stream: out.stream, tty: true, color: false, now: () => time });
    return { bus, out, clock, detach };
  }

  it('redraws one line at most every 100ms', () => {
    const { bus, out, clock } = setup();
    bus.emit('run-start', { run: makeRun(), total: 100, skipped: 0 });
    expect(out.chunks).toHaveLength(1);
    for (let done = 1; done <= 50; done++) {
      clock.set(done); // 50 items in 50ms: no redraw
      itemEnd(bus, makeResult(), done, 100);
    }
    expect(out.chunks).toHaveLength(1);
    clock.set(100);
    itemEnd(bus, makeResult(), 51, 100);
    expect(out.chunks).toHaveLength(2);
    clock.set(150);
    itemEnd(bus, makeResult(), 52, 100);
    expect(out.chunks).toHaveLength(2);
    for (const chunk of out.chunks) {
      expect(chunk.startsWith(CLEAR_LINE)).toBe(true);
      expect(chunk).not.toContain('\n');
    }
  });

  it('shows counts, pass rate, cost, rate and ETA', () => {
    const { bus, out, clock } = setup();
    bus.emit('run-start', { run: makeRun(), total: 20, skipped: 0 });
    clock.set(1000);
    for (let done = 1; done <= 9; done++) itemEnd(bus, makeResult({ costUsd: 0.001 }), done, 20);
    clock.set(2000);
    itemEnd(bus, makeFailed({ costUsd: 0.001 }), 10, 20);
    const line = out.chunks.at(-1) ?? '';
    expect(line).toContain('10/20');
    expect(line).toContain('██████████░░░░░░░░░░');
    expect(line).toContain('pass 90.0%');
    expect(line).toContain('cost $0.0100');
    expect(line).toContain('5.0/s');
    expect(line).toContain('ETA 2.0s');
  });

  it('draws the final state and a newline at run-end, even inside the throttle window', () => {
    const { bus, out, clock } = setup();
    bus.emit('run-start', { run: makeRun(), total: 2, skipped: 0 });
    clock.set(10);
    itemEnd(bus, makeResult(), 1, 2);
    itemEnd(bus, makeError('timeout'), 2, 2);
    bus.emit('run-end', { run: makeRun(), status: 'interrupted', durationMs: 10 });
    const text = out.text();
    expect(text.endsWith('\n')).toBe(true);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    const final = text.slice(text.lastIndexOf(CLEAR_LINE));
    expect(final).toContain('2/2');
    expect(final).toContain('1 error');
    expect(final).toContain('done in 10ms');
    expect(final).toContain('interrupted');
    expect(final).not.toContain('ETA');
  });

  it('ignores retries and resumes from the skipped count', () => {
    const { bus, out } = setup();
    bus.emit('run-start', { run: makeRun(), total: 100, skipped: 40 });
    bus.emit('retry-scheduled', { runId: 'r', itemId: 'x', attempt: 1, delayMs: 10, reason: 'transient' });
    expect(out.chunks).toHaveLength(1);
    expect(out.chunks[0]).toContain('40/100');
  });

  it('keeps the line narrower than the terminal', () => {
    const { bus, out, clock } = setup(40);
    bus.emit('run-start', { run: makeRun(), total: 1000, skipped: 0 });
    clock.set(500);
    itemEnd(bus, makeResult(), 1, 1000);
    for (const chunk of out.chunks) expect(chunk.length - CLEAR_LINE.length).toBeLessThan(40);
    expect(out.chunks.at(-1)).toContain('1/1000');
  });

  it('ends an unfinished line when detached early', () => {
    const { bus, out, detach } = setup();
    bus.emit('run-start', { run: makeRun(), total: 5, skipped: 0 });
    detach();
    expect(out.text().endsWith('\n')).toBe(true);
    const before = out.chunks.length;
    itemEnd(bus, makeResult(), 1, 5);
    expect(out.chunks).toHaveLength(before);
  });

  it('writes no color codes when color is off', () => {
    const { bus, out } = setup();
    bus.emit('run-start', { run: makeRun(), total: 5, skipped: 0 });
    bus.emit('run-end', { run: makeRun(), status: 'completed', durationMs: 1 });
    expect(out.text().replaceAll(CLEAR_LINE, '')).not.toContain('\x1b');
  });
});
