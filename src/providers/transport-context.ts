import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-call transport limits, set by the executor around a provider call (adapters need not pass them). */
export interface TransportTimeouts {
  /** TCP/TLS connect. @default 10000 */
  connectMs?: number;
  /** From sending the request to the response headers (first byte). */
  firstByteMs?: number;
  /** Longest silence between two body chunks (streams included). */
  idleMs?: number;
}

/** Carries the current call's timeouts to postJson/postStream without threading them through every adapter. */
export const transportTimeouts = new AsyncLocalStorage<TransportTimeouts>();
