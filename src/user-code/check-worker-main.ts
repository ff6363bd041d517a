/** A check as the main thread describes it: inline code, or a module whose default export checks. */
export type CheckSource =
  | { parameters: string[]; body: string }
  | { module: string; name: string; jiti: string };

/** One call of a check, as sent to the worker. */
export interface CheckCall {
  call: number;
  check: number;
  args: unknown[];
}

/** What the worker answers for one call; `loading` marks a module that could not be loaded. */
export type CheckReply = { call: number; value: unknown } | { call: number; error: string; loading: boolean };

/**
 * The program of the check worker (`check-worker.ts`), started from this function's source text,
 * so it must not refer to anything outside itself. Messages are batches, `{ defines, calls }` in and
 * `CheckReply[]` out (a thread wakes once per batch, not per call). It compiles inline checks and
 * loads module checks (TypeScript through jiti), and runs calls one at a time, each check's result
 * (awaited when it is a promise) before the next. While a call runs (a module's first call includes
 * loading it), its number is in `running[0]`, where the main thread's watchdog reads it.
 */
export function checkWorkerMain(): void {
  type Check = (...args: unknown[]) => unknown;
  type Message = { defines: Array<{ id: number; source: CheckSource }>; calls: CheckCall[] };

  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const { createRequire } = process.getBuiltinModule('node:module');
  const { pathToFileURL } = process.getBuiltinModule('node:url');
  const data = workerData as {
    running: SharedArrayBuffer;
    replies: import('node:worker_threads').MessagePort;
  };
  const running = new Int32Array(data.running);
  const replies = data.replies;
  const sources = new Map<number, CheckSource>();
  // Compiled or loading once per worker; a module that fails to load fails every call the same way.
  const checks = new Map<number, Promise<Check>>();
  const queue: CheckCall[] = [];
  let outgoing: CheckReply[] = [];
  let busy = false;
  // Written as text, so that no bundler or test runner rewrites this import().
  const importModule = new Function('specifier', 'return import(specifier)') as (
    specifier: string,
  ) => Promise<{ default?: unknown }>;

  const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

  /** A module that could not be loaded as a check (its message is complete as it is). */
  class LoadError extends Error {}

  async function compile(source: CheckSource): Promise<Check> {
    if ('body' in source) return new Function(...source.parameters, source.body) as Check;
    let module: { default?: unknown };
    try {
      if (/\.[mc]?ts$/i.test(source.module)) {
        const { createJiti } = createRequire(source.jiti)(source.jiti) as {
          createJiti(from: string): { import(file: string): Promise<{ default?: unknown }> };
        };
        module = await createJiti(source.module).import(source.module);
      } else {
        module = await importModule(pathToFileURL(source.module).href);
      }
    } catch (error) {
      throw new LoadError(`cannot load ${source.name}: ${describe(error)}`);
    }
    if (typeof module.default !== 'function') {
      throw new LoadError(
        `${source.name} must export default a function (output, { vars, expected, context })`,
      );
    }
    return module.default as Check;
  }

  /** Sends the answers so far: in one message, or one by one when a value cannot be cloned. */
  function send(): void {
    if (outgoing.length === 0) return;
    const batch = outgoing;
    outgoing = [];
    try {
      replies.postMessage(batch);
    } catch {
      for (const reply of batch) {
        try {
          replies.postMessage([reply]);
        } catch (error) {
          const problem = `returned a value that cannot be read (${describe(error)})`;
          replies.postMessage([{ call: reply.call, error: problem, loading: false }]);
        }
      }
    }
  }

  const isPromise = (value: unknown): value is Promise<unknown> =>
    value !== null && typeof value === 'object' && typeof (value as Promise<unknown>).then === 'function';

  async function runOne({ call, check, args }: CheckCall): Promise<void> {
    Atomics.store(running, 0, call);
    try {
      let compiled = checks.get(check);
      if (!compiled) {
        const source = sources.get(check);
        if (!source) throw new Error(`check ${check} was never defined`);
        compiled = compile(source);
        checks.set(check, compiled);
        send(); // loading takes a while: answers already made should not wait for it
      }
      let value = (await compiled)(...args);
      if (isPromise(value)) {
        send();
        value = await value;
      }
      outgoing.push({ call, value });
    } catch (error) {
      outgoing.push({ call, error: describe(error), loading: error instanceof LoadError });
    } finally {
      Atomics.store(running, 0, 0);
    }
  }

  async function drain(): Promise<void> {
    busy = true;
    for (let next = queue.shift(); next; next = queue.shift()) await runOne(next);
    send();
    busy = false;
  }

  parentPort?.on('message', (message: Message) => {
    for (const { id, source } of message.defines) sources.set(id, source);
    for (const call of message.calls) queue.push(call);
    if (!busy) void drain();
  });
}
