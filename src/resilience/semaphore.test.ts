import { describe, expect, it } from 'vitest';
import { Semaphore, sleep } from './semaphore.js';

describe('Semaphore', () => {
  it('lets at most `size` holders in, serving waiters in order', async () => {
    const semaphore = new Semaphore(2);
    const order: string[] = [];
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const third = semaphore.acquire().then((release) => {
      order.push('third');
      return release;
    });
    const fourth = semaphore.acquire().then((release) => {
      order.push('fourth');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // releasing twice frees one place only
    (await third)();
    second();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
  });

  it('rejects a bad size', () => {
    expect(() => new Semaphore(0)).toThrow(
      'Expected `size` to be a whole number from 1 up, got `0` (number)',
    );
  });

  it('sleep rejects with the abort reason', async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('Semaphore.tryAcquire', () => {
  it('takes a free place without waiting, and returns null when none is free', async () => {
    const semaphore = new Semaphore(1);
    const release = semaphore.tryAcquire();
    expect(release).not.toBeNull();
    expect(semaphore.tryAcquire()).toBeNull();
    release!();
    expect(semaphore.tryAcquire()).not.toBeNull();
  });
});
