import { getEventListeners } from 'node:events';

/**
 * Abort controllers of finished calls, handed to later calls. A fresh AbortSignal costs several
 * microseconds to make and to give its first listener, once per call (~0.1 s per 10,000 calls,
 * profiled); one that never fired and has no listener left is as good as new.
 */
const spareControllers: AbortController[] = [];
const SPARE_CONTROLLERS = 256;
/**
 * Calls one controller serves at most: `AbortSignal.any()` on a call's signal leaves entries on it
 * that Node 20 never removes and no listener check can see, so a controller is retired before
 * they add up.
 */
const USES_PER_CONTROLLER = 32;
const uses = new WeakMap<AbortController, number>();

export function takeController(): AbortController {
  return spareControllers.pop() ?? new AbortController();
}

export function giveBackController(controller: AbortController): void {
  const used = (uses.get(controller) ?? 0) + 1;
  uses.set(controller, used);
  if (
    used < USES_PER_CONTROLLER &&
    !controller.signal.aborted &&
    spareControllers.length < SPARE_CONTROLLERS &&
    getEventListeners(controller.signal, 'abort').length === 0
  ) {
    spareControllers.push(controller);
  }
}
