import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { startMockServer } from '../../mock/server.js';

export interface MockServerFlags {
  port: string;
  host: string;
  latency: string;
  failRate: string;
  rateLimitRate: string;
  seed: string;
  apiKey?: string;
  journal: boolean;
  rpm?: string;
  tpm?: string;
  rateWindow: string;
  rateWindowMs: string;
  rateHeaders: string;
  retryHint: string;
}

function choice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UserError(
    `${flag} must be one of ${choices.join(', ')}, got "${value}"`,
    flag,
    `e.g. ${flag} ${choices[0]}`,
  );
}

function number(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new UserError(
      `${flag} must be a number from ${min} to ${max}, got "${value}"`,
      flag,
      `e.g. ${flag} ${min === 0 && max === 1 ? '0.1' : '50'}`,
    );
  }
  return parsed;
}

/** Runs until SIGINT/SIGTERM, printing the base URL to use. */
export async function mockServerCommand(flags: MockServerFlags): Promise<number> {
  const server = await startMockServer({
    port: number('--port', flags.port, 0, 65535),
    host: flags.host,
    latencyMs: number('--latency', flags.latency, 0, 600_000),
    failRate: number('--fail-rate', flags.failRate, 0, 1),
    rateLimitRate: number('--rate-limit-rate', flags.rateLimitRate, 0, 1),
    seed: number('--seed', flags.seed, 0, 2 ** 32),
    journal: flags.journal,
    ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
    ...(flags.rpm === undefined ? {} : { rpm: number('--rpm', flags.rpm, 1, 1e9) }),
    ...(flags.tpm === undefined ? {} : { tpm: number('--tpm', flags.tpm, 1, 1e12) }),
    rateWindow: choice('--rate-window', flags.rateWindow, ['bucket', 'fixed'] as const),
    rateWindowMs: number('--rate-window-ms', flags.rateWindowMs, 1, 3_600_000),
    rateHeaders: choice('--rate-headers', flags.rateHeaders, ['dialect', 'none'] as const),
    retryHint: choice('--retry-hint', flags.retryHint, ['exact', 'seconds', 'none'] as const),
  });
  process.stdout.write(
    [
      `mock LLM server listening on ${server.url}`,
      `OpenAI base URL: ${server.url}/v1`,
      `OpenRouter base URL: ${server.url}/api/v1`,
      `Anthropic, Gemini, Ollama base URL: ${server.url}`,
      '',
    ].join('\n'),
  );
  if (flags.rpm !== undefined || flags.tpm !== undefined) {
    const limits = [flags.rpm && `${flags.rpm} RPM`, flags.tpm && `${flags.tpm} TPM`].filter(Boolean);
    const kept =
      flags.rateWindow === 'fixed'
        ? `fixed windows of ${flags.rateWindowMs} ms`
        : `a bucket of ${flags.rateWindowMs} ms`;
    process.stdout.write(
      `rate limits per API key: ${limits.join(', ')} (${kept}; headers: ${flags.rateHeaders}; retry hint: ${flags.retryHint})\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT.ok;
}
