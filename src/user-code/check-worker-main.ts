/**
 * The program of the check worker (`inline-checks.ts`), started from this function's source text,
 * so it must not refer to anything outside itself. It compiles inline checks sent as
 * `{ define, parameters, body }` and runs `{ call, check, args }` messages one at a time, each
 * check's result (awaited when it is a promise) before the next. While a call runs, its number
 * is in `running[0]`, where the main thread's watchdog reads it.
 */
export function checkWorkerMain(): void {
  type Check = (...args: unknown[]) => unknown;
  type Message =
    | { define: number; parameters: string[]; body: string }
    | { call: number; check: number; args: unknown[] };

  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const data = workerData as {
    running: SharedArrayBuffer;
    replies: import('node:worker_threads').MessagePort;
  };
  const running = new Int32Array(data.running);
  const replies = data.replies;
  const checks = new Map<number, Check>();
  const queue: Array<{ call: number; check: number; args: unknown[] }> = [];
  let busy = false;

  const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

  async function runOne(call: number, check: number, args: unknown[]): Promise<void> {
    Atomics.store(running, 0, call);
    try {
      const compiled = checks.get(check);
      if (!compiled) throw new Error(`check ${check} was never defined`);
      let value = compiled(...args);
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
      replies.postMessage({ call, error: describe(error) });
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
      try {
        checks.set(message.define, new Function(...message.parameters, message.body) as Check);
      } catch {
        // The main thread compiled the same text before sending it; a call reports the gap.
      }
      return;
    }
    queue.push(message);
    if (!busy) void drain();
  });
}
