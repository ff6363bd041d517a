import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../types.js';
import { RunEventBus, type RunEventName } from './events.js';

const run = { id: 'r1' } as RunRecord;

describe('RunEventBus', () => {
  it('detaches a listener that throws, reports it, and keeps delivering to the others', () => {
    const failures: Array<[RunEventName, string]> = [];
    const bus = new RunEventBus((event, error) => failures.push([event, (error as Error).message]));
    const seen: string[] = [];
    bus.on('run-end', () => {
      throw new Error('the live view went away');
    });
    bus.on('run-end', ({ status }) => seen.push(status));
    bus.emit('run-end', { run, status: 'completed', durationMs: 1 });
    bus.emit('run-end', { run, status: 'interrupted', durationMs: 2 });
    expect(seen).toEqual(['completed', 'interrupted']);
    expect(failures).toEqual([['run-end', 'the live view went away']]);
  });

  it('stops delivering to a listener once it unsubscribes', () => {
    const bus = new RunEventBus();
    const seen: number[] = [];
    const off = bus.on('run-end', ({ durationMs }) => seen.push(durationMs));
    bus.emit('run-end', { run, status: 'completed', durationMs: 1 });
    off();
    bus.emit('run-end', { run, status: 'completed', durationMs: 2 });
    expect(seen).toEqual([1]);
  });

  it('carries plain JSON: every event survives JSON.stringify unchanged', () => {
    const bus = new RunEventBus();
    const payloads: unknown[] = [];
    bus.on('retry-scheduled', (payload) => payloads.push(payload));
    const payload = { runId: 'r1', itemId: 'i', attempt: 1, delayMs: 5, reason: 'HTTP 500' };
    bus.emit('retry-scheduled', payload);
    expect(JSON.parse(JSON.stringify(payloads[0]))).toEqual(payload);
  });
});
