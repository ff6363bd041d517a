/** A check as the main thread describes it: inline code, or a module whose default export checks. */
export type CheckSource =
  | { parameters: string[]; body: string }
  | { module: string; name: string; jiti: string };

/**
 * The program of the check worker (`check-worker.ts`), started from this function's source text,
 * so it must not refer to anything outside itself. It compiles inline checks and loads module checks
 * (TypeScript through jiti) sent as `{ define, source }` (a module that fails to load answers with
 * `loading: true`), and runs `{ call, check, args }` messages one
 * at a time, each check's result (awaited when it is a promise) before the next. While a call runs
 * (a module's first call includes loading it), its number is in `running[0]`, where the main
 * thread's watchdog reads it.
 */
export function checkWorkerMain(): void {
  type Check = (...args: unknown[]) => unknown;
  type Message = { define: number; source: CheckSource } | { call: number; check: number; args: unknown[] };

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
  const queue: Array<{ call: number; check: number; args: unknown[] }> = [];
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

  async function runOne(call: number, check: number, args: unknown[]): Promise<void> {
    Atomics.store(running, 0, call);
    try {
      let compiled = checks.get(check);
      if (!compiled) {
        const source = sources.get(check);
        if (!source) throw new Error(`check ${check} was never defined`);
        compiled = compile(source);
        checks.set(check, compiled);
      }
      let value = (await compiled)(...args);
      if (
        value !== null &&
        typeof value === 'object' &&
        typeof (value as Promise<unknown>).then === 'function'
      ) {
        value = await value;
      }
      try {
        replies.postMessage({ call, value });
      } catch (error) {
        replies.postMessage({ call, error: `returned a value that cannot be read (${describe(error)})` });
      }
    } catch (error) {
      replies.postMessage({ call, error: describe(error), loading: error instanceof LoadError });
    } finally {
      Atomics.store(running, 0, 0);
    }
  }

  async function drain(): Promise<void> {
    busy = true;
    for (let next = queue.shift(); next; next = queue.shift()) await runOne(next.call, next.check, next.args);
    busy = false;
  }

  parentPort?.on('message', (message: Message) => {
    if ('define' in message) {
      sources.set(message.define, message.source);
      return;
    }
    queue.push(message);
    if (!busy) void drain();
  });
}
