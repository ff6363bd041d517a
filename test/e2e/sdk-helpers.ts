/**
 * Shared set-up of the official-SDK suites (sdk-*.test.ts): `assay mock-server` started from the built
 * CLI on a free loopback port with a required key, and a `fetch` that refuses anything but loopback, so
 * an SDK that ignored its base URL fails the test instead of reaching the network.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startCli, waitFor } from './helpers.js';

/** The key the mock requires; every SDK is given it. */
export const MOCK_KEY = 'sk-mock-sdk-key';

interface ObjectSchema {
  [key: string]: unknown;
  type: 'object';
  properties: Record<string, { type: string; description?: string; enum?: string[] }>;
  required: string[];
  additionalProperties: boolean;
}

/** A function tool in JSON Schema, as every SDK suite offers it. */
export const WEATHER_PARAMETERS: ObjectSchema = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['city', 'unit'],
  additionalProperties: false,
};

/** The arguments the mock makes up from `WEATHER_PARAMETERS` when the prompt gives none. */
export const EXAMPLE_WEATHER_ARGUMENTS = { city: 'mock', unit: 'celsius' };

export interface SdkMock {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** Every URL the SDKs fetched, for checks that they went where they were pointed. */
  fetched: string[];
}

/** Starts the mock server once for the file, guards `fetch` to loopback, and undoes both afterwards. */
export function useSdkMock(): SdkMock {
  const mock: SdkMock = { url: '', fetched: [] };
  const realFetch = globalThis.fetch;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const { child, done } = startCli(['mock-server', '--port', '0', '--api-key', MOCK_KEY], {
      cwd: process.cwd(),
    });
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    await waitFor(() => /listening on (http:\/\/\S+)/.test(stdout));
    mock.url = /listening on (http:\/\/\S+)/.exec(stdout)![1]!;
    stop = async () => {
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    };
    globalThis.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      mock.fetched.push(url);
      if (new URL(url).hostname !== '127.0.0.1') {
        return Promise.reject(new Error(`the test reached for the network: ${url}`));
      }
      return realFetch(input, init);
    };
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await stop?.();
    for (const url of mock.fetched) expect(url.startsWith(mock.url)).toBe(true);
  });
  return mock;
}

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
