import { Command, CommanderError, Option } from 'commander';
import { EnvironmentError, UserError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { VERSION } from '../version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  every item passed
  1  some items failed or errored
  2  bad config, flags or input files
  3  run aborted (Ctrl-C), or the machine failed (a full disk, a database gone)
  4  budget reached: the remaining calls were skipped`;

type Action = (...args: never[]) => Promise<number>;

/** Wraps a lazily imported command so `assay --version` loads none of them. */
function lazy(load: () => Promise<Action>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const action = await load();
    process.exitCode = await (action as (...inner: unknown[]) => Promise<number>)(...args);
  };
}

/** The two options every command that reads the project or its database takes. */
const CONFIG_OPTION = ['-c, --config <file>', 'config file (default: ./assay.yaml)'] as const;
const DB_OPTION = [
  '--db <url>',
  'store: a SQLite file path or postgres://user@host/db (default: ASSAY_DATABASE_URL, else store.url in the config, else .assay/assay.db)',
] as const;

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

function wholeNumber(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isInteger(parsed) || parsed < 0) {
      throw new UserError(
        `${name} must be a whole number from 0 up, got "${value}"`,
        name,
        `e.g. ${name} 0 (repeats are counted from 0)`,
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
    .enablePositionalOptions()
    // Set before any command is added: commands copy these settings when they are created, so a
    // bad flag on a command also throws (exit 2) instead of exiting the process with code 1.
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nExamples:\n  $ assay init my-evals\n  $ assay run\n  $ assay results --run latest --failed\n${EXIT_CODES_HELP}`,
    );

  program
    .command('run')
    .description('run the eval suite in ./assay.yaml and store the results')
    .option(...CONFIG_OPTION)
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
    .option(
      '--repeat <n>',
      "run each task N times (default: the suite's repeat, else defaults.repeat)",
      positiveInt('--repeat'),
    )
    .option('--first <n>', 'run only the first N selected tasks', positiveInt('--first'))
    .option('--sample <n>', 'run N selected tasks drawn at random (see --seed)', positiveInt('--sample'))
    .option('--seed <seed>', 'seed for --sample (default 1): the same seed draws the same tasks')
    .option('--no-cache', 'neither read nor write the response cache')
    .option(
      '--max-cost <usd>',
      'stop making calls before this run spends more (USD)',
      nonNegativeNumber('--max-cost'),
    )
    .option('--resume [run]', 'finish an interrupted run (id or "latest") instead of starting a new one')
    .option('--json', 'print a JSON report on stdout (nothing else goes to stdout)')
    .option(...DB_OPTION)
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
    .option('-r, --run <id>', 'run id (or a unique prefix) or "latest"', 'latest')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--failed', 'only failed and errored items')
    .option('--errors', 'only errored items')
    .option('-t, --target <name>', 'only this target')
    .option(
      '-f, --filter <expr>',
      'task filter: tag:x, id:glob, metadata.k=v ("," = or, repeat = and)',
      collect,
      [],
    )
    .option('--json', 'JSON on stdout')
    .option('--csv', 'CSV on stdout (one row per result)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay results\n  $ assay results --run latest --failed --json\n  $ assay results --errors --target gpt-4o-mini --filter tag:safety --csv > errors.csv',
    )
    .action(lazy(async () => (await import('./commands/results.js')).resultsCommand));

  const runs = program
    .command('runs')
    .description('stored runs, newest first: status, pass rate with its 95% interval, cost, duration')
    .option('-s, --suite <name>', 'only runs of this suite')
    .option('-t, --target <name>', 'only runs with this target')
    .option('--since <duration>', 'only runs started in this period, e.g. 7d, 12h')
    .option('-n, --limit <n>', 'most runs listed', '20')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--json', 'JSON on stdout')
    .addHelpText('after', '\nExamples:\n  $ assay runs\n  $ assay runs --suite critical --since 7d --json')
    .action(lazy(async () => (await import('./commands/runs.js')).runsCommand));
  runs
    .command('delete')
    .description('delete a run with its results and scores (task and prompt versions stay); audited')
    .argument('<id>', 'run id (or a unique prefix) or "latest"')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--json', 'JSON on stdout')
    .addHelpText('after', '\nExamples:\n  $ assay runs delete 3f2a91c0')
    .action(lazy(async () => (await import('./commands/runs.js')).runsDeleteCommand));
  runs
    .command('prune')
    .description('delete runs older than a duration with their results and scores; audited')
    .option('--older-than <duration>', 'e.g. 180d')
    .option(
      '--keep-baselines',
      'keep the runs `assay ci` compares against (newest completed per suite, and on main)',
    )
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--json', 'JSON on stdout')
    .addHelpText('after', '\nExamples:\n  $ assay runs prune --older-than 180d --keep-baselines')
    .action(lazy(async () => (await import('./commands/runs.js')).runsPruneCommand));

  program
    .command('audit')
    .description(
      'who changed what and when: task archive/restore/add, run delete/prune, retries, cache clear/prune, restores',
    )
    .option('--since <duration>', 'entries of this period', '7d')
    .option('--action <action>', 'only this action, e.g. task.archive, run.prune, cache.clear, db.restore')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--json', 'JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay audit --since 7d\n  $ assay audit --since 30d --action task.archive --json',
    )
    .action(lazy(async () => (await import('./commands/audit.js')).auditCommand));

  program
    .command('show')
    .description('one item in full: rendered prompt, output, every score and reason, attempts, tokens, cost')
    .argument('<run>', 'run id (or a unique prefix) or "latest"')
    .argument('<task>', 'task id')
    .option('-t, --target <name>', 'only this target')
    .option('--repeat <n>', 'only this repeat index (from 0)', wholeNumber('--repeat'))
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--json', 'JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay show latest capital-fr\n  $ assay show 3f2a91c0 capital-fr --target gpt-4o-mini --json',
    )
    .action(lazy(async () => (await import('./commands/show.js')).showCommand));

  program
    .command('retry')
    .description('re-run the errored items of a run (with --failed also the failed ones) into the same run')
    .argument('<run>', 'run id (or a unique prefix) or "latest"')
    .option('--failed', 'also re-run failed items (fresh calls: the cache is skipped)')
    .option('-j, --concurrency <n>', 'calls in flight at once', positiveInt('--concurrency'))
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--json', 'print a JSON report on stdout')
    .addOption(
      new Option('--progress <mode>', 'progress display')
        .choices(['auto', 'bar', 'lines', 'none'])
        .default('auto'),
    )
    .addHelpText(
      'after',
      `\nExamples:\n  $ assay retry latest\n  $ assay retry 3f2a91c0 --failed\n${EXIT_CODES_HELP}`,
    )
    .action(lazy(async () => (await import('./commands/retry.js')).retryCommand));

  program
    .command('export')
    .description('write a stored run as json, jsonl, csv, junit, markdown or html')
    .argument('<run>', 'run id (or a unique prefix) or "latest"')
    .option('-f, --format <format>', 'json, jsonl, csv, junit, markdown or html')
    .option('-o, --output <file>', 'write to this file (parent directories are created) instead of stdout')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay export latest --format junit -o reports/assay-junit.xml\n  $ assay export latest --format markdown >> "$GITHUB_STEP_SUMMARY"\n  $ assay export latest --format html -o reports/assay.html\n\nFormats are described in docs/reports.md.',
    )
    .action(lazy(async () => (await import('./commands/export.js')).exportCommand));

  program
    .command('explore')
    .description(
      'interactive terminal: pick a run, page through failures, open items, compare, re-run errors',
    )
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay explore\n\nEvery action prints the plain command that does the same, for scripts and CI.',
    )
    .action(lazy(async () => (await import('./commands/explore.js')).exploreCommand));

  const cache = program.command('cache').description('inspect and trim the response cache');
  for (const [name, description] of [
    ['stats', 'entries, size, age, and what cached answers saved'],
    ['prune', 'delete expired entries, or with --older-than those older than a duration'],
    ['clear', 'delete every cached answer'],
  ] as const) {
    const command = cache
      .command(name)
      .description(description)
      .option(...CONFIG_OPTION)
      .option(...DB_OPTION);
    if (name === 'stats') command.option('--json', 'JSON on stdout');
    if (name === 'prune') command.option('--older-than <duration>', 'e.g. 30d, 12h');
    if (name === 'clear') command.option('-y, --yes', 'do not ask (needed when not on a terminal)');
    command
      .addHelpText(
        'after',
        `\nExamples:\n  $ assay cache ${name}${name === 'prune' ? ' --older-than 30d' : name === 'clear' ? ' --yes' : ''}`,
      )
      .action(
        lazy(async () => {
          const module = await import('./commands/cache.js');
          return name === 'stats'
            ? module.cacheStatsCommand
            : name === 'prune'
              ? module.cachePruneCommand
              : module.cacheClearCommand;
        }),
      );
  }

  program
    .command('costs')
    .description('what runs cost (model calls and judges) and what the cache saved, grouped')
    .addOption(
      new Option('--timeframe <period>', 'period covered').choices(['day', 'week', 'month']).default('week'),
    )
    .addOption(
      new Option('--by <dimension>', 'group by (default: time buckets)').choices([
        'provider',
        'model',
        'target',
        'suite',
        'task',
        'user',
      ]),
    )
    .option('--since <duration>', 'override the period, e.g. 90d')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--json', 'JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay costs\n  $ assay costs --timeframe month --by model\n  $ assay costs --by user --json',
    )
    .action(lazy(async () => (await import('./commands/costs.js')).costsCommand));

  program
    .command('init')
    .description('create a new eval project: assay.yaml, prompts/, tasks/, .env.example')
    .argument('[dir]', 'directory to create it in', '.')
    .option('--force', 'overwrite existing files')
    .option('--ci <system>', 'also write CI workflows: github (.github/workflows/assay*.yml)')
    .addHelpText('after', '\nExamples:\n  $ assay init my-evals\n  $ cd my-evals && assay run')
    .action(lazy(async () => (await import('./commands/init.js')).initCommand));

  program
    .command('mock-server')
    .summary('start the mock LLM server (OpenAI, Anthropic, Gemini, Ollama…) on loopback')
    .description(
      'start the mock LLM server on loopback, for demos and CI: OpenAI (chat, embeddings), OpenRouter, Anthropic, Gemini, Ollama and a custom JSON API, with tools, faults and rate limits',
    )
    .option('-p, --port <n>', 'port (0 picks a free one)', '8787')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--latency <ms>', 'delay before each answer', '0')
    .option('--fail-rate <p>', 'probability of a 500 answer (0..1)', '0')
    .option('--rate-limit-rate <p>', 'probability of a 429 answer with retry-after (0..1)', '0')
    .option('--seed <n>', 'seed for the fault probabilities', '1')
    .option('--api-key <key>', "require this key, sent the way each provider's clients send it")
    .option('--no-journal', 'do not keep the request journal (for long benchmarks)')
    .option('--rpm <n>', 'requests per minute per API key; more get 429 (default: unlimited)')
    .option('--tpm <n>', 'tokens per minute per API key; more get 429 (default: unlimited)')
    .option(
      '--rate-window <kind>',
      'how --rpm is kept: bucket (refilled continuously) or fixed (windows)',
      'bucket',
    )
    .option('--rate-window-ms <ms>', "the bucket's size or the window's length, in ms of traffic", '1000')
    .option('--rate-headers <kind>', 'rate-limit headers on answers: dialect or none', 'dialect')
    .option('--retry-hint <kind>', 'what a refused request is told: exact, seconds or none', 'exact')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay mock-server --port 8787\n  $ assay mock-server --latency 50 --fail-rate 0.1\n  $ assay mock-server --rpm 600\n  $ assay mock-server --rpm 1200 --rate-window fixed --retry-hint seconds\n\nBase URLs (port 8787): OpenAI http://127.0.0.1:8787/v1, OpenRouter http://127.0.0.1:8787/api/v1,\nAnthropic, Gemini and Ollama http://127.0.0.1:8787. How it answers: docs/mock.md',
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
    .option(...CONFIG_OPTION)
    .option('--json', 'JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay providers test openai:gpt-4o-mini\n\nExit code 0 when the call works, 1 when the provider answered with an error.',
    )
    .action(lazy(async () => (await import('./commands/providers.js')).providersTestCommand));

  const tasks = program
    .command('tasks')
    .description("list, show, add and archive tasks; see each task's version history");
  const projectOptions = (command: Command) => command.option(...CONFIG_OPTION).option(...DB_OPTION);
  projectOptions(
    tasks
      .command('list')
      .description('the tasks of the project (or a suite), with versions, assertions and tags')
      .option('-s, --suite <name>', 'only this suite')
      .option('--tag <tag>', 'only tasks with this tag (repeatable: all must match)', collect, [])
      .option('--archived', 'list archived tasks instead')
      .option('--json', 'JSON on stdout'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay tasks list\n  $ assay tasks list --suite critical --tag safety --json',
    )
    .action(lazy(async () => (await import('./commands/tasks.js')).tasksListCommand));
  projectOptions(
    tasks
      .command('show')
      .description('one task as YAML: the current version, or a stored one')
      .argument('<id>', 'task id')
      .option('--version <v>', 'a stored version (hash or unique prefix)')
      .option('--json', 'JSON on stdout'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay tasks show capital-fr\n  $ assay tasks show capital-fr --version 3f2a',
    )
    .action(lazy(async () => (await import('./commands/tasks.js')).tasksShowCommand));
  projectOptions(
    tasks
      .command('history')
      .description("a task's versions with dates, and what changed between them")
      .argument('<id>', 'task id')
      .option('--json', 'JSON on stdout'),
  )
    .addHelpText('after', '\nExamples:\n  $ assay tasks history capital-fr')
    .action(lazy(async () => (await import('./commands/tasks.js')).tasksHistoryCommand));
  projectOptions(
    tasks
      .command('add')
      .description('add tasks from a file (.yaml, .json, .jsonl, .csv) to a project task file')
      .requiredOption('--from-file <file>', 'file holding the tasks to add')
      .option('--to <file>', 'YAML task file to append to', 'tasks/added.yaml'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay tasks add --from-file new-cases.jsonl\n  $ assay tasks add --from-file sheet.csv --to tasks/imported.yaml',
    )
    .action(lazy(async () => (await import('./commands/tasks.js')).tasksAddCommand));
  projectOptions(
    tasks
      .command('rm')
      .description('archive a task: runs skip it; its versions and old results stay')
      .argument('<id>', 'task id'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay tasks rm obsolete-case\n  $ assay tasks restore obsolete-case',
    )
    .action(lazy(async () => (await import('./commands/tasks.js')).tasksRemoveCommand));
  projectOptions(tasks.command('restore').description('un-archive a task').argument('<id>', 'task id'))
    .addHelpText('after', '\nExamples:\n  $ assay tasks restore obsolete-case')
    .action(lazy(async () => (await import('./commands/tasks.js')).tasksRestoreCommand));

  const prompts = program.command('prompts').description('list prompts, show a version, diff two versions');
  projectOptions(
    prompts
      .command('list')
      .description('prompts with their current version')
      .option('--json', 'JSON on stdout'),
  )
    .addHelpText('after', '\nExamples:\n  $ assay prompts list')
    .action(lazy(async () => (await import('./commands/prompts.js')).promptsListCommand));
  projectOptions(
    prompts
      .command('show')
      .description("a prompt's text: the current version, or a stored one")
      .argument('<name>', 'prompt name')
      .option('--version <v>', 'a stored version (hash or unique prefix), or "current"')
      .option('--json', 'JSON on stdout'),
  )
    .addHelpText('after', '\nExamples:\n  $ assay prompts show qa\n  $ assay prompts show qa --version 9c1e')
    .action(lazy(async () => (await import('./commands/prompts.js')).promptsShowCommand));
  projectOptions(
    prompts
      .command('history')
      .description('every stored version of a prompt, with dates and git commits')
      .argument('<name>', 'prompt name')
      .option('--json', 'JSON on stdout'),
  )
    .addHelpText('after', '\nExamples:\n  $ assay prompts history qa')
    .action(lazy(async () => (await import('./commands/prompts.js')).promptsHistoryCommand));
  projectOptions(
    prompts
      .command('diff')
      .description('line diff between two versions of a prompt')
      .argument('<name>', 'prompt name')
      .argument('<v1>', 'older version (hash, prefix or "current")')
      .argument('[v2]', 'newer version', 'current'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay prompts diff qa 9c1e 41ab\n  $ assay prompts diff qa 9c1e     # against the working copy',
    )
    .action(lazy(async () => (await import('./commands/prompts.js')).promptsDiffCommand));

  program
    .command('import')
    .description('convert a promptfoo config or an eval dataset into Assay files (prompts, targets, tasks)')
    .argument('<format>', 'promptfoo | openai-evals | inspect | csv')
    .argument('<file>', 'promptfooconfig.yaml, or the dataset file (.jsonl, .json, .csv)')
    .option('-o, --out <dir>', 'directory to write into (default: the current directory)')
    .option('--force', 'overwrite files that already exist')
    .option('--json', 'print a JSON report on stdout')
    .option(
      '--allow-outside',
      "read files a promptfoo config refers to outside its folder (absolute paths, '..', symlinks)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay import promptfoo promptfooconfig.yaml --out evals\n  $ assay import openai-evals samples.jsonl\n  $ assay import inspect quiz.jsonl --out quiz --json\n  $ assay import csv questions.csv --force\n\nSkipped items (unsupported assertions, providers, options) are listed; they do not fail the import.\nEvery file read is listed; a promptfoo config may not read outside its folder unless --allow-outside.\nExit code 0 when the files were written, 2 for bad input or a file that already exists.',
    )
    .action(lazy(async () => (await import('./commands/import.js')).importCommand));

  program
    .command('compare')
    .description('compare two runs item by item: a verdict per target, flips, cost and latency deltas')
    .argument('<runA>', 'the baseline run: id, unique id prefix, or "latest"')
    .argument('<runB>', 'the run judged against it')
    .option(
      '-m, --metric <name>',
      'what decides the verdicts: pass_rate, score or a named metric',
      'pass_rate',
    )
    .option('--target-a <name>', "run A's target to compare (for renamed targets, with --target-b)")
    .option('--target-b <name>', "run B's target to compare")
    .option('--seed <seed>', 'seed of the bootstrap intervals (default 1): same seed, same numbers')
    .option('--json', 'JSON on stdout')
    .option('--markdown', 'Markdown on stdout (for a PR comment)')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay compare 3f2a9c1d latest\n  $ assay compare 3f2a9c1d 9c1e0b2a --metric score --json\n  $ assay compare gpt-run claude-run --target-a openai:gpt-4o --target-b anthropic:claude-3-5-haiku-latest\n\nExit code 0 whatever the verdicts (use `assay ci` to gate); 2 for an unknown run, target or metric.',
    )
    .action(lazy(async () => (await import('./commands/compare.js')).compareCommand));

  program
    .command('history')
    .description('a metric over the newest runs, oldest first, with a sparkline and prompt/target changes')
    .option('-s, --suite <name>', 'only runs of this suite')
    .option('-t, --target <name>', 'only this target')
    .option('-m, --metric <name>', 'pass_rate, score or a named metric', 'pass_rate')
    .option('-n, --limit <n>', 'how many of the newest runs', '20')
    .option('--json', 'JSON on stdout')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay history --suite critical\n  $ assay history --target openai:gpt-4o-mini --metric accuracy --limit 50 --json',
    )
    .action(lazy(async () => (await import('./commands/history.js')).historyCommand));

  program
    .command('ci')
    .description(
      'run a suite for CI: compare with a baseline, write the PR comment, JUnit and JSON, gate the exit code',
    )
    .option('-s, --suite <name>', 'suite to run (required)')
    .option('--baseline <ref>', 'latest, latest-on-main, a run id or a git ref', 'latest')
    .option(
      '--no-compute-baseline',
      'when no stored run fits a git ref (or main), do not run the suite at that commit to make one',
    )
    .option(
      '--max-time <seconds>',
      'start no new item after this long (seconds, or e.g. 5m); the report says it was cut short',
    )
    .option('--min-pass-rate <rate>', "also fail when a target's pass rate is below this (0..1, or e.g. 90%)")
    .option(
      '--fail-on <gate>',
      'regression (default), significant-regression or any-failure (always any-failure without a baseline)',
    )
    .option(
      '--allow-fail <filter>',
      'tasks that never fail the job but are reported: tag:x, id:glob (repeatable)',
      collect,
      [],
    )
    .option('--out-dir <dir>', 'where to write assay-report.md, assay-junit.xml and assay-report.json', '.')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option(
      '-j, --concurrency <n>',
      'calls in flight at once (default: defaults.concurrency)',
      positiveInt('--concurrency'),
    )
    .option('--no-cache', 'neither read nor write the response cache')
    .option('--seed <seed>', 'seed of the bootstrap intervals (default 1)')
    .addHelpText(
      'after',
      `\nExamples:\n  $ assay ci --suite critical --baseline latest-on-main --max-time 300\n  $ assay ci --suite regression --fail-on significant-regression --allow-fail tag:flaky --min-pass-rate 0.9\n\nExit codes:\n  0  the gate passed\n  1  the gate failed (the last line says why)\n  2  bad flags, config or input files\n  3  run aborted (Ctrl-C), or the machine failed (a full disk, a database gone)\n  4  budget reached: the remaining calls were skipped`,
    )
    .action(lazy(async () => (await import('./commands/ci.js')).ciCommand));

  const db = program
    .command('db')
    .description(
      'the store: schema version and migrations, portable backups, restore, copy between databases',
    );
  db.command('status')
    .description('schema version: applied and pending migrations (changes nothing)')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .option('--json', 'JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay db status\n  $ assay db status --db postgres://assay@db/evals',
    )
    .action(lazy(async () => (await import('./commands/db.js')).dbStatusCommand));
  db.command('migrate')
    .description('apply pending migrations (every command also does this when it opens the store)')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .addHelpText('after', '\nExamples:\n  $ assay db migrate')
    .action(lazy(async () => (await import('./commands/db.js')).dbMigrateCommand));
  db.command('backup')
    .description('write the whole store to a portable, checksummed archive (works for both databases)')
    .option('-o, --output <file>', 'archive to write')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .addHelpText('after', '\nExamples:\n  $ assay db backup -o backups/2026-12-08.assay')
    .action(lazy(async () => (await import('./commands/db.js')).dbBackupCommand));
  db.command('restore')
    .description('restore an archive into an empty store (checked before anything is written)')
    .argument('<file>', 'archive written by assay db backup')
    .option('--to <url>', 'store to restore into (default: the configured store)')
    .option('--force', 'replace everything in a store that is not empty')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .addHelpText(
      'after',
      '\nExamples:\n  $ assay db restore backups/2026-12-08.assay --to postgres://assay@db/evals\n  $ assay db restore backups/2026-12-08.assay --to restored.db --force',
    )
    .action(lazy(async () => (await import('./commands/db.js')).dbRestoreCommand));
  db.command('copy')
    .description('copy a whole store into another (a backup piped into a restore, without a file)')
    .option('--from <url>', 'store to copy (default: the configured store)')
    .option('--to <url>', 'store to copy into (must be empty, or --force)')
    .option('--force', 'replace everything in a target that is not empty')
    .option(...CONFIG_OPTION)
    .option(...DB_OPTION)
    .addHelpText('after', '\nExamples:\n  $ assay db copy --from .assay/assay.db --to "$ASSAY_DATABASE_URL"')
    .action(lazy(async () => (await import('./commands/db.js')).dbCopyCommand));

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
  if (error instanceof UserError || error instanceof EnvironmentError) {
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
  // --debug works anywhere on the line; other program options (--version) only before the
  // command, so a command's own --version (tasks show, prompts show) is its own.
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv.filter((arg, index) => index < 2 || arg !== '--debug'));
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
