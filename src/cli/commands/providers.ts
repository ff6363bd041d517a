import { loadProject, type Project } from '../../config/load.js';
import { resolveTargetName } from '../../config/target-name.js';
import { ProviderError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { createPricer } from '../../pricing/price.js';
import type { Provider } from '../../providers/provider.js';
import { describeProviders } from '../../providers/registry.js';
import { formatMs, formatUsd, longestLength } from '../../report/format.js';
import type { Target } from '../../types.js';

export async function providersListCommand(flags: { json?: boolean }): Promise<number> {
  const rows = describeProviders(process.env);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows, null, process.stdout.isTTY ? 2 : undefined)}\n`);
    return EXIT.ok;
  }
  const width = longestLength(rows.map((row) => row.example));
  const lines = rows.map((row) => {
    const env = row.env.map((entry) => `${entry.name} ${entry.set ? '(set)' : '(not set)'}`).join(', ');
    return `${row.example.padEnd(width)}  ${row.description}${env ? `\n${' '.repeat(width + 2)}env: ${env}` : ''}`;
  });
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

/**
 * One real call to a configured target: latency, usage, cost, rate-limit headers. The key is read
 * from the environment as in a run, and never printed.
 */
export async function providersTestCommand(
  targetName: string,
  flags: { config?: string; json?: boolean },
): Promise<number> {
  const project = await loadProject({ ...(flags.config ? { configPath: flags.config } : {}) });
  const name = resolveTargetName(
    targetName,
    project.targets.map((candidate) => candidate.name),
    '<target>',
  );
  const target = project.targets.find((candidate) => candidate.name === name)!;
  const { createProvider } = await import('../../providers/registry.js');
  // Loaded here only: `providers list` needs no HTTP client.
  const { createRuntime } = await import('../../runtime.js');
  const runtime = createRuntime();
  try {
    return await testTarget(
      target,
      project,
      await createProvider(
        target.providerId,
        {
          options: target.options,
          config: target.config,
          env: process.env,
          baseDir: project.baseDir,
          http: runtime.http,
        },
        `target "${target.name}"`,
      ),
      flags,
    );
  } finally {
    await runtime.close();
  }
}

async function testTarget(
  target: Target,
  project: Project,
  provider: Provider,
  flags: { json?: boolean },
): Promise<number> {
  const pricer = await createPricer(provider.model, provider.pricingProvider, target.price);
  const started = performance.now();
  try {
    const response = await provider.call({
      messages: [{ role: 'user', content: 'Reply with exactly: ok' }],
      config: { ...target.config, max_tokens: 16 },
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    const latencyMs = Math.round(performance.now() - started);
    const costUsd = response.costUsd ?? pricer(response.usage);
    const report = {
      target: target.name,
      ok: true,
      latencyMs,
      ttftMs: response.ttftMs ?? null,
      model: response.model ?? provider.model,
      output: response.output,
      usage: {
        inputTokens: response.usage.inputTokens ?? null,
        outputTokens: response.usage.outputTokens ?? null,
      },
      costUsd,
      rateLimit: response.rateLimit ?? null,
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(project.redactor.value(report))}\n`);
    else {
      const usage = `${report.usage.inputTokens ?? '–'} in / ${report.usage.outputTokens ?? '–'} out`;
      const limits = response.rateLimit
        ? Object.entries(response.rateLimit)
            .map(([key, value]) => `${key} ${value}`)
            .join(', ')
        : 'none reported';
      process.stdout.write(
        [
          `${target.name}: ok in ${formatMs(latencyMs)} (model ${report.model})`,
          `  answer: ${JSON.stringify(project.redactor.text(response.output.slice(0, 80)))}`,
          `  usage: ${usage} · cost ${costUsd === null ? 'unknown' : formatUsd(costUsd)}`,
          `  rate limits: ${limits}`,
          '',
        ].join('\n'),
      );
    }
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const report = {
      target: target.name,
      ok: false,
      category: error.kind,
      status: error.status ?? null,
      message: project.redactor.text(error.message),
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else
      process.stdout.write(
        `${target.name}: failed (${error.kind}${error.status ? `, HTTP ${error.status}` : ''}): ${report.message}\n`,
      );
    return EXIT.failures;
  }
}
