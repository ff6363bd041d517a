import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../config/load.js';
import { writePlan } from '../output.js';
import { cleanupDirectories, rejection, tempDirectory } from '../test-helpers.js';
import { planPromptfoo } from './config.js';

afterEach(cleanupDirectories);

async function promptfooProject(config: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await tempDirectory();
  for (const [name, content] of Object.entries({ 'promptfooconfig.yaml': config, ...files })) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return path.join(dir, 'promptfooconfig.yaml');
}

async function importAndLoad(config: string) {
  const plan = await planPromptfoo(config, { env: {} });
  const out = path.join(path.dirname(config), 'assay');
  await writePlan(plan, out, false);
  return { plan, project: await loadProject({ cwd: out, env: {} }) };
}

const HEAD = "prompts: ['Q: {{question}}']\nproviders: [echo]\n";

describe('promptfoo tests', () => {
  it('reads tests from YAML globs and JSONL, and defaultTest from a file', async () => {
    const config = await promptfooProject(
      `${HEAD}defaultTest: file://shared/default.yaml\ntests:\n  - file://tests/*.yaml\n  - tests/more.jsonl\n`,
      {
        'shared/default.yaml':
          'vars: { tone: friendly }\nassert:\n  - type: latency\n    threshold: 3000\nmetadata: { suite: smoke }\n',
        'tests/b.yaml': '- description: Second file\n  vars: { question: b }\n',
        'tests/a.yaml': '- vars: { question: a, tone: formal }\n  metadata: { owner: ana }\n',
        'tests/more.jsonl': '{"vars": {"question": "c"}, "assert": [{"type": "equals", "value": "C"}]}\n',
      },
    );
    const { project, plan } = await importAndLoad(config);
    expect(plan.skipped).toEqual([]);
    expect(
      (await project.taskSource.all()).tasks.map((task) => [task.id, task.vars, task.assert, task.metadata]),
    ).toEqual([
      [
        'test-1',
        { tone: 'formal', question: 'a' },
        [{ type: 'latency', threshold: 3000 }],
        { suite: 'smoke', owner: 'ana' },
      ],
      [
        'second-file',
        { tone: 'friendly', question: 'b' },
        [{ type: 'latency', threshold: 3000 }],
        { suite: 'smoke' },
      ],
      [
        'test-3',
        { tone: 'friendly', question: 'c' },
        [
          { type: 'latency', threshold: 3000 },
          { type: 'equals', value: 'C' },
        ],
        { suite: 'smoke' },
      ],
    ]);
  });

  it('expands array vars like promptfoo unless disableVarExpansion, and keeps ids unique', async () => {
    const config = await promptfooProject(
      `${HEAD}tests:\n  - description: Same\n    vars: { question: [x, y], lang: [en, fr] }\n  - description: Same\n    vars: { question: [p, q] }\n    options: { disableVarExpansion: true }\n`,
    );
    const { project } = await importAndLoad(config);
    expect((await project.taskSource.all()).tasks.map((task) => [task.id, task.vars])).toEqual([
      ['same-1', { question: 'x', lang: 'en' }],
      ['same-2', { question: 'x', lang: 'fr' }],
      ['same-3', { question: 'y', lang: 'en' }],
      ['same-4', { question: 'y', lang: 'fr' }],
      ['same-5', { question: ['p', 'q'] }],
    ]);
  });

  it('lists test options, vars and sources it cannot import', async () => {
    const config = await promptfooProject(
      `${HEAD}tests:
  - description: Script var
    vars: { question: file://make_question.py }
  - description: Grader with settings
    vars: { question: a }
    options:
      provider: { id: openai:gpt-4o, config: { temperature: 0 } }
      storeOutputAs: answer
    assert:
      - type: llm-rubric
        value: is helpful
  - description: Nothing left
    vars: { question: b }
    providerOutput: fixed
    assert:
      - type: python
        value: output == 'b'
  - huggingface://datasets/acme/support-faq
`,
    );
    const { plan, project } = await importAndLoad(config);
    expect(
      plan.skipped.map((skip) => [
        skip.item,
        skip.where.replace(/^.*promptfooconfig\.yaml/, ''),
        skip.reason,
      ]),
    ).toEqual([
      [
        'tests huggingface://datasets/acme/support-faq',
        ':20:5',
        'remote datasets (Hugging Face, Google Sheets, URLs) are not fetched; download the file first',
      ],
      [
        'test "Script var"',
        ':5:13',
        'var "question" loads file://make_question.py; only text files are inlined',
      ],
      [
        'test "Grader with settings" options.provider',
        ':9:7',
        'grader "openai:gpt-4o": its settings (config) are not mapped, so openai:gpt-4o judges with Assay\'s defaults (temperature 0); to keep them, set `grader: { id, config }` in assay.yaml',
      ],
      [
        'test "Grader with settings" options.storeOutputAs',
        ':10:7',
        'chaining outputs between tests is not supported',
      ],
      ['test "Nothing left" providerOutput', ':16:5', 'fixed provider outputs are not supported'],
      [
        'test "Nothing left" assert[0] python',
        ':18:9',
        'Python assertions cannot run in Assay; rewrite the check as a javascript assertion',
      ],
    ]);
    expect(plan.notes).toEqual([
      'test "Nothing left": none of its assertions could be imported, so its task has none',
    ]);
    expect((await project.taskSource.all()).tasks.map((task) => task.id)).toEqual([
      'grader-with-settings',
      'nothing-left',
    ]);
  });

  it('expands a file:// glob var into one task per file, as promptfoo does', async () => {
    const config = await promptfooProject(
      `${HEAD}tests:\n  - description: Summaries\n    vars: { question: file://articles/*.txt, tone: [dry, warm] }\n`,
      { 'articles/b-tides.txt': 'Tides follow the moon.', 'articles/a-bees.txt': 'Bees dance.' },
    );
    const { plan, project } = await importAndLoad(config);
    expect((await project.taskSource.all()).tasks.map((task) => [task.id, task.vars])).toEqual([
      ['summaries-1', { question: 'Bees dance.', tone: 'dry' }],
      ['summaries-2', { question: 'Bees dance.', tone: 'warm' }],
      ['summaries-3', { question: 'Tides follow the moon.', tone: 'dry' }],
      ['summaries-4', { question: 'Tides follow the moon.', tone: 'warm' }],
    ]);
    expect(plan.skipped).toEqual([]);
    expect(plan.notes).toEqual([
      'test "Summaries": file-glob vars (question) and array-valued vars expand to 4 tasks (summaries-1 … summaries-4)',
    ]);
    expect(plan.inputs.map((file) => path.basename(file))).toEqual([
      'promptfooconfig.yaml',
      'a-bees.txt',
      'b-tides.txt',
    ]);
  });

  it('skips a glob var that cannot expand, and names a glob that matches nothing', async () => {
    const config = await promptfooProject(
      `${HEAD}tests:\n  - description: Fixed\n    vars: { question: file://articles/*.txt }\n    options: { disableVarExpansion: true }\n  - vars: { question: file://images/* }\n`,
      { 'articles/a.txt': 'A', 'images/cat.png': 'not really a png' },
    );
    const plan = await planPromptfoo(config, { env: {} });
    expect(plan.skipped.map((skip) => [skip.item, skip.reason])).toEqual([
      [
        'test "Fixed"',
        'var "question" is a file glob, which promptfoo expands into one test per file, but options.disableVarExpansion is set; remove one of them',
      ],
      ['test 2', 'var "question" loads file://images/cat.png; only text files are inlined'],
    ]);
    const none = await promptfooProject(`${HEAD}tests:\n  - vars: { question: file://articles/*.md }\n`);
    const error = await rejection(planPromptfoo(none));
    expect(error.message).toBe('no file matches "articles/*.md"');
    expect(error.location).toMatch(/promptfooconfig\.yaml:4:13$/);
  });

  it('keeps escaped commas in __metadata:<key>[] items, as promptfoo does', async () => {
    const config = await promptfooProject(`${HEAD}tests: file://cases.csv\n`, {
      'cases.csv': 'question,__metadata:tags[]\n"Why?","environment, science ,global\\,warming,"\n',
    });
    const { project } = await importAndLoad(config);
    expect((await project.taskSource.all()).tasks[0]?.metadata).toEqual({
      tags: ['environment', 'science', 'global,warming'],
    });
  });

  it('says what a test or assertion setting must be when its value is wrong', async () => {
    const config = await promptfooProject(
      `${HEAD}tests:
  - description: Words
    vars: { question: a }
    threshold: high
    metadata: [a, b]
    assert:
      - { type: cost, threshold: cheap }
      - { type: latency, threshold: 3000, weight: heavy }
  - description: Bad graders
    vars: { question: b }
    options: { provider: 5 }
    assert:
      - { type: llm-rubric, value: is kind, provider: { id: null } }
  - file://cases.csv
`,
      { 'cases.csv': 'question,__threshold\nc,most\n' },
    );
    const plan = await planPromptfoo(config, { env: {} });
    expect(plan.skipped.map((skip) => [skip.item, skip.reason])).toEqual([
      [
        'test "Words" threshold',
        '"threshold" must be a number from 0 to 1, got "high" (string); fix it and import again',
      ],
      [
        'test "Words" metadata',
        '"metadata" must be a mapping of names to values, got ["a","b"] (array); fix it and import again',
      ],
      [
        'test "Words" assert[0] cost',
        '"threshold" must be a number, got "cheap" (string); fix it and import again',
      ],
      [
        'test "Words" assert[1] latency weight',
        '"weight" must be a number >= 0, got "heavy" (string); weight 1 applies',
      ],
      [
        'test "Bad graders" options.provider',
        'a grader must be a provider id or { id, config }, got 5 (number); write e.g. provider: openai:gpt-4o-mini',
      ],
      [
        'test "Bad graders" assert[0] llm-rubric provider',
        'the grader\'s "id" must be a provider id, got null (null); write e.g. id: openai:gpt-4o-mini',
      ],
      [
        'test 3 threshold',
        '"threshold" must be a number from 0 to 1, got "most" (string); fix it and import again',
      ],
    ]);
  });

  it('rejects a tests glob that matches nothing', async () => {
    const config = await promptfooProject(`${HEAD}tests: file://cases/*.yaml\n`);
    const error = await rejection(planPromptfoo(config));
    expect(error.message).toBe('no file matches "cases/*.yaml"');
    expect(error.location).toMatch(/promptfooconfig\.yaml:3:1$/);
  });
});

describe('promptfoo providers and settings', () => {
  it('maps provider settings, follows provider files and keeps labels unique', async () => {
    const config = await promptfooProject(
      `prompts: ['Q: {{question}}']
providers:
  - openai:gpt-4o-mini: { config: { temperature: 0.1 } }
  - id: openai:chat:gpt-4o-mini
    transform: output.trim()
    config:
      apiBaseUrl: https://llm-gateway.example.com/v1
      apiKeyEnvar: GATEWAY_KEY
      headers: { x-team: support, Authorization: Bearer abc }
      cost: 0.0000006
      organization: org-123
      tools: file://tools.json
  - file://more-providers.yaml
tests:
  - vars: { question: hi }
`,
      {
        'tools.json':
          '[{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object"}}}]',
        'more-providers.yaml':
          '- id: ollama:chat:llama3.1:8b\n  label: local\n- bedrock:anthropic.claude-3-haiku-20240307-v1:0\n',
      },
    );
    const { plan, project } = await importAndLoad(config);
    expect(project.config.targets).toEqual([
      { id: 'openai:gpt-4o-mini', config: { temperature: 0.1 } },
      {
        id: 'openai:gpt-4o-mini',
        label: 'openai:gpt-4o-mini-2',
        base_url: 'https://llm-gateway.example.com/v1',
        api_key_env: 'GATEWAY_KEY',
        headers: { 'x-team': 'support' },
        price: { input_per_mtok: 0.6, output_per_mtok: 0.6 },
        config: {
          tools: [{ type: 'function', function: { name: 'lookup_order', parameters: { type: 'object' } } }],
        },
      },
      { id: 'ollama:llama3.1:8b', label: 'local', config: {} },
    ]);
    expect(plan.skipped.map((skip) => [skip.item, skip.reason])).toEqual([
      ['provider "openai:chat:gpt-4o-mini" transform', 'provider output transforms are not supported'],
      [
        'provider "openai:chat:gpt-4o-mini" config.headers.Authorization',
        'headers that may hold secrets are not copied',
      ],
      [
        'provider "openai:chat:gpt-4o-mini" config.organization',
        'a promptfoo-only setting with no Assay counterpart',
      ],
      [
        'provider "bedrock:anthropic.claude-3-haiku-20240307-v1:0"',
        'Assay has no "bedrock" provider; if it serves the Chat Completions API, use openai-compatible: with base_url',
      ],
    ]);
    expect(plan.notes).toEqual([
      'provider "openai:chat:gpt-4o-mini" is labelled "openai:gpt-4o-mini-2": its name was already taken',
    ]);
    expect(plan.skipped.at(-1)?.where).toMatch(/more-providers\.yaml:3:3$/);
  });

  it('says what is wrong with a provider whose id is not text', async () => {
    const config = await promptfooProject(
      "prompts: ['Q: {{question}}']\nproviders:\n  - id: null\n  - 5\n  - echo\ntests:\n  - vars: { question: hi }\n",
    );
    const plan = await planPromptfoo(config, { env: {} });
    expect(
      plan.skipped.map((skip) => [
        skip.item,
        skip.where.replace(/^.*promptfooconfig\.yaml/, ''),
        skip.reason,
      ]),
    ).toEqual([
      ['provider', ':3:5', '"id" must be a provider id such as openai:gpt-4o-mini, got null (null)'],
      ['provider', ':4:5', 'a provider must be an id or an object with "id", got 5 (number)'],
    ]);
  });

  it('falls back to the echo target when no provider can be imported', async () => {
    const config = await promptfooProject(
      "prompts: ['Q: {{question}}']\ntargets:\n  - python:provider.py\ntests:\n  - vars: { question: hi }\n",
    );
    const { plan, project } = await importAndLoad(config);
    expect(project.config.targets).toEqual(['echo']);
    expect(plan.notes).toEqual([
      'no provider could be imported: assay.yaml uses the echo target; add your models',
    ]);
  });

  it('lists top-level settings it does not import', async () => {
    const config = await promptfooProject(
      `${HEAD}scenarios:\n  - config: [{ vars: { lang: fr } }]\nderivedMetrics: []\nfancyFeature: true\nevaluateOptions: { repeat: 3, cache: false, maxConcurrency: 0 }\n`,
    );
    const { plan, project } = await importAndLoad(config);
    expect(plan.skipped.map((skip) => [skip.item, skip.reason])).toEqual([
      ['scenarios', 'scenarios (tests crossed with var sets) are not imported; copy their vars into tests'],
      ['derivedMetrics', 'derived metrics are not supported'],
      ['fancyFeature', '"fancyFeature" is not a promptfoo setting Assay knows'],
      ['evaluateOptions.maxConcurrency', 'no Assay counterpart (see `defaults` in docs/config.md)'],
    ]);
    expect(project.config.defaults).toMatchObject({ repeat: 3, cache: false, concurrency: 10 });
    expect((await project.taskSource.all()).tasks).toEqual([]);
  });

  it.each([
    ['- just\n- a list\n', 'a promptfoo config must be a mapping of settings'],
    ['providers: [echo]\n', 'the promptfoo config has no prompts'],
    ["prompts: ['x']\n", 'the promptfoo config has no providers'],
  ])('rejects %j', async (content, message) => {
    const error = await rejection(planPromptfoo(await promptfooProject(content)));
    expect(error.message).toBe(message);
    expect(error.location).toMatch(/promptfooconfig\.yaml:1:1$/);
  });
});

describe('files outside the promptfoo project folder', () => {
  /** A project in one temp dir and a secret file in another, outside it. */
  async function withSecret(tests: string, files: Record<string, string> = {}) {
    const secret = path.join(await tempDirectory(), 'secret.csv');
    await writeFile(secret, 'question\nsk-canary-outside\n');
    const config = await promptfooProject(`${HEAD}tests:\n${tests.replaceAll('SECRET', secret)}`, files);
    return { secret, config, dir: path.dirname(config) };
  }

  it.each([
    ['an absolute path', '  - vars: { question: file://SECRET }\n'],
    ['a test file', '  - file://SECRET\n'],
  ])('refuses %s, naming it and the way out', async (_, tests) => {
    const { secret, config } = await withSecret(tests);
    const error = await rejection(planPromptfoo(config, { env: {} }));
    expect(error.message).toBe(
      `${secret} is outside the promptfoo project folder (${path.dirname(config)}); the import does not read it`,
    );
    expect(error.location).toMatch(/promptfooconfig\.yaml:4:/);
    expect(error.hint).toBe(
      'copy the file into the project folder and refer to it by a relative path, or pass --allow-outside if you trust this config',
    );
  });

  it('refuses .. paths and symlinks that lead out of the folder', async () => {
    const { secret, config, dir } = await withSecret('  - vars: { question: file://linked.txt }\n');
    await symlink(secret, path.join(dir, 'linked.txt'));
    await expect(planPromptfoo(config, { env: {} })).rejects.toThrow(
      /is outside the promptfoo project folder/,
    );
    const relative = path.relative(dir, secret);
    expect(relative.startsWith('..')).toBe(true);
    const dotted = await withSecret(`  - vars: { question: file://${relative} }\n`);
    await expect(planPromptfoo(dotted.config, { env: {} })).rejects.toThrow(
      /is outside the promptfoo project folder/,
    );
    const prompt = await promptfooProject(`prompts: [file://../elsewhere/prompt.txt]\nproviders: [echo]\n`);
    await expect(planPromptfoo(prompt, { env: {} })).rejects.toThrow(
      /is outside the promptfoo project folder/,
    );
  });

  it('reads them with allowOutside, with a note, and lists every file read', async () => {
    const { secret, config } = await withSecret(
      '  - vars: { question: file://SECRET }\n  - file://local.csv\n',
      {
        'local.csv': 'question\nhi\n',
      },
    );
    const plan = await planPromptfoo(config, { env: {}, allowOutside: true });
    expect(plan.notes).toEqual([`read ${secret}, outside the project folder (--allow-outside)`]);
    expect(plan.inputs).toEqual([config, path.join(path.dirname(config), 'local.csv'), secret]);
  });
});
