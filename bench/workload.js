// The benchmark's workload, shared by bench/run.js and bench/bare-loop.js: the questions both the
// bare loop and Assay ask the mock server (~10% of the expected answers wrong on purpose), and the
// bare loop itself.
import { Agent, request } from 'undici';

export const MODEL = 'gpt-4o-mini';
const BARE_TIMEOUT_MS = 5 * 60_000; // any one bare loop
export const REQUEST_TIMEOUT_MS = 30_000; // any one bare request

export class BenchError extends Error {}

export function question(i) {
  const a = (i * 37) % 1000;
  const b = (i * 11) % 997;
  return { a, b, text: `What is ${a} + ${b}?` };
}

export function expectedAnswer(i) {
  const { a, b } = question(i);
  return i % 10 === 9 ? String(a + b + 1) : String(a + b); // every tenth task fails
}

export const expectedFailures = (count) => Math.floor(count / 10);

/** A bare keep-alive HTTP loop making the same calls as Assay, parsing each JSON body; returns ms. */
export async function bareLoop(mockUrl, count, concurrency) {
  const url = `${mockUrl}/v1/chat/completions`;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: null, pipelining: 1 });
  const deadline = AbortSignal.timeout(BARE_TIMEOUT_MS);
  let next = 0;
  let wrong = 0;
  const worker = async () => {
    while (next < count) {
      if (deadline.aborted)
        throw new BenchError(`bare loop did not finish within ${BARE_TIMEOUT_MS / 1000} s`);
      const i = next++;
      const { statusCode, body } = await request(url, {
        method: 'POST',
        dispatcher: agent,
        // Its own key: the mock counts requests per key for its rate-limit headers, and 30,000 bare
        // calls a minute on Assay's key would show Assay's learned limiter an empty bucket.
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench-bare-key' },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: `${question(i).text}\n` }],
          temperature: 0,
          max_tokens: 16,
        }),
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      const json = await body.json();
      if (statusCode !== 200)
        throw new BenchError(`bare loop: HTTP ${statusCode} ${JSON.stringify(json).slice(0, 200)}`);
      const content = json?.choices?.[0]?.message?.content;
      if (typeof content !== 'string')
        throw new BenchError('bare loop: answer without choices[0].message.content');
      if (content.trim() !== expectedAnswer(i)) wrong++;
    }
  };
  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    await agent.close();
  }
  const ms = performance.now() - start;
  if (wrong !== expectedFailures(count)) {
    throw new BenchError(`bare loop: ${wrong} wrong answers, expected ${expectedFailures(count)}`);
  }
  return ms;
}
