import { describe, expect, it } from 'vitest';
import { giveBackController, takeController } from './controllers.js';

describe('spare abort controllers', () => {
  it('hands a controller that never fired and has no listener left to the next call', () => {
    const first = takeController();
    const listener = () => undefined;
    first.signal.addEventListener('abort', listener);
    first.signal.removeEventListener('abort', listener);
    giveBackController(first);
    expect(takeController()).toBe(first);
  });

  it('never hands out one that fired, or one something still listens to', () => {
    const fired = takeController();
    fired.abort(new Error('timed out'));
    giveBackController(fired);
    const listened = takeController();
    expect(listened).not.toBe(fired);
    expect(listened.signal.aborted).toBe(false);
    listened.signal.addEventListener('abort', () => undefined);
    giveBackController(listened);
    const next = takeController();
    expect(next).not.toBe(listened);
    expect(next).not.toBe(fired);
    expect(next.signal.aborted).toBe(false);
  });

  it('keeps at most 256 spares', () => {
    const many = Array.from({ length: 300 }, () => new AbortController());
    for (const controller of many) giveBackController(controller);
    const taken = new Set(Array.from({ length: 300 }, () => takeController()));
    const reused = many.filter((controller) => taken.has(controller));
    expect(reused).toHaveLength(256);
  });
});

describe('a spare controller’s service', () => {
  it('ends after 32 calls, so what AbortSignal.any leaves on a signal cannot pile up', () => {
    const served = new Set<AbortController>();
    let first: AbortController | undefined;
    for (let call = 0; call < 40; call++) {
      const controller = takeController();
      first ??= controller;
      served.add(controller);
      giveBackController(controller);
    }
    expect(served.size).toBe(2);
    expect(takeController()).not.toBe(first);
  });
});
