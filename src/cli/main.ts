import { Command, CommanderError, Option } from 'commander';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  every item passed
  1  some items failed or errored
  2  bad config, flags or input files
  3  run aborted (Ctrl-C or a storage failure)
  4  budget reached: the remaining calls were skipped`;

type Action = (...args: never[]) => Promise<number>;

/** Wraps a lazily imported command so `assay --version` loads none of them. */
function lazy(load: () => Promise<Action>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const action = await load();
    process.exitCode = await (action as (...inner: unknown[]) => Promise<number>)(...args);
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new UserError(
        `${name} must be a whole number from 1 up, got "${value}"`,
        name,
        `e.g. ${name} 10`,
      );
    }
    return parsed;
  };
}

function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
      throw new UserError(
        `${name} must be a number of dollars from 0 up, got "${value}"`,
        name,
        `e.g. ${name} 2.50`,
      );
    }
    return parsed;
  };
}

export function buildProgram(): Command {
  const program = new Command('assay')
    .description('Evaluate LLM prompts and models: run suites, store every result, compare runs.')
    .version(VERSION, '-v, --version')
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nExamples:\n  $ assay init my-evals\n  $ assay run\n  $ assay results --run latest --failed\n${EXIT_CODES_HELP}`,
    );

  program
    .command('run')
    .description('run the eval suite in ./assay.yaml and store the results')
    .option('-c, --config <file>', 'config file (default: ./assay.yaml)')
    .option('-s, --suite <name>', 'run only this suite')
    .option(
      '-f, --filter <expr>',
      'task filter: tag:x, id:glob, metadata.k=v; "," = or, repeat = and',
      collect,
      [],
    )
    .option('-t, --target <name>', 'run only this target (repeatable)', collect, [])
    .option(
      '-j, --concurrency <n>',
      'calls in flight at once (default: defaults.concurrency)',
      positiveInt('--concurrency'),
    )
    .option('--repeat <n>', 'run each task N times', positiveInt('--repeat'))
    .option('--no-cache', 'neither read nor write the response cache')
    .option(
      '--max-cost <usd>',
      'stop making calls before this run spends more (USD)',
      nonNegativeNumber('--max-cost'),
    )
    .option('--resume [run]', 'finish an interrupted run (id or "latest") instead of starting a new one')
    .option('--json', 'print a JSON report on stdout (nothing else goes to stdout)')
    .option('--db <path>', 'database file (default: database in config, .assay/assay.db)')
    .addOption(
      new Option('--progress <mode>', 'progress display')
        .choices(['auto', 'bar', 'lines', 'none'])
        .default('auto'),
    )
    .addHelpText(
      'after',
      `\nExamples:\n  $ assay run\n  $ assay run --suite critical --filter tag:safety -j 20 --no-cache --json\n  $ assay run --resume latest\n${EXIT_CODES_HELP}`,
    )
    .action(lazy(async () => (await import('./commands/run.js')).runCommand));

  program
    .command('results')
    .description('show the stored results of a run')
    .option('-r, --run <id>', 'run id or "latest"', 'latest')
    .option('-c, --config <file>', 'config file, to find the database')
    .option('--db <path>', 'database file')
    .option('--failed', 'only failed and errored items')
    .option('--json', 'JSON on stdout')
    .addHelpText('after', '\nExamples:\n  $ assay results\n  $ assay results --run latest --failed --json')
    .action(lazy(async () => (await import('./commands/results.js')).resultsCommand));

  program
    .command('init')
    .description('create a new eval project: assay.yaml, prompts/, tasks/, .env.example')
    .argument('[dir]', 'directory to create it in', '.')
    .option('--force', 'overwrite existing files')
    .addHelpText('after', '\nExamples:\n  $ assay init my-evals\n  $ cd my-evals && assay run')
    .action(lazy(async () => (await import('./commands/init.js')).initCommand));

  program
    .command('mock-server')
    .description('start the mock LLM server (OpenAI wire format) on loopback, for demos and CI')
    .option('-p, --port <n>', 'port (0 picks a free one)', '8787')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--latency <ms>', 'delay before each answer', '0')
    .option('--fail-rate <p>', 'probability of a 500 answer (0..1)', '0')
    .option('--rate-limit-rate <p>', 'probability of a 429 answer with retry-after (0..1)', '0')
    .option('--seed <n>', 'seed for the fault probabilities', '1')
    .option('--api-key <key>', 'require this bearer token')
    .option('--no-journal', 'do not keep the request journal (for long benchmarks)')
    .option('--rpm <n>', 'requests per minute per API key; more get 429 (default: unlimited)')
    .option('--tpm <n>', 'tokens per minute per API key; more get 429 (default: unlimited)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay mock-server --port 8787\n  $ assay mock-server --latency 50 --fail-rate 0.1\n  $ assay mock-server --rpm 600\n\nPoint a target at it with base_url: http://127.0.0.1:8787/v1',
    )
    .action(lazy(async () => (await import('./commands/mock-server.js')).mockServerCommand));

  const providers = program
    .command('providers')
    .description('list the providers and their environment variables, or test a configured target');
  providers
    .command('list')
    .description('each provider, the environment variables it reads, and whether they are set')
    .option('--json', 'JSON on stdout')
    .addHelpText('after', '\nExamples:\n  $ assay providers list')
    .action(lazy(async () => (await import('./commands/providers.js')).providersListCommand));
  providers
    .command('test')
    .description('make one call to a target: latency, usage, cost and rate-limit headers')
    .argument('<target>', 'target name from assay.yaml')
    .option('-c, --config <file>', 'config file (default: ./assay.yaml)')
    .option('--json', 'JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay providers test openai:gpt-4o-mini\n\nExit code 0 when the call works, 1 when the provider answered with an error.',
    )
    .action(lazy(async () => (await import('./commands/providers.js')).providersTestCommand));

  program
    .command('schema')
    .description('print the JSON Schema of assay.yaml (for editor autocompletion)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay schema > assay.schema.json\n  # then in assay.yaml: # yaml-language-server: $schema=./assay.schema.json',
    )
    .action(lazy(async () => (await import('./commands/schema.js')).schemaCommand));

  return program;
}

/** Formats an error for the terminal: one message with its place and a fix, no stack unless --debug. */
export function formatError(error: unknown, debug: boolean): string {
  if (error instanceof UserError) {
    const head =
      error.location && !error.message.includes('\n') ? `${error.location}: ${error.message}` : error.message;
    const hint = error.hint ? `\n  fix: ${error.hint}` : '';
    return `error: ${head}${hint}${debug && error.stack ? `\n${error.stack}` : ''}\n`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `error: ${message}\n${debug && error instanceof Error ? `${error.stack}\n` : '  (run with --debug for details)\n'}`;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    process.stderr.write(formatError(error, debug));
    return error instanceof UserError ? EXIT.usage : EXIT.aborted;
  }
}
