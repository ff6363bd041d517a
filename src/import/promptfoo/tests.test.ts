import { mkdir, writeFile } from 'node:fs/promises';
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
  const plan = await planPromptfoo(config);
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
    expect(project.tasks.map((task) => [task.id, task.vars, task.assert, task.metadata])).toEqual([
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
    expect(project.tasks.map((task) => [task.id, task.vars])).toEqual([
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
        'a grader provider given as an object with settings is not mapped; set `grader:` by hand',
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
    expect(project.tasks.map((task) => task.id)).toEqual(['grader-with-settings', 'nothing-left']);
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
    expect(project.tasks).toEqual([]);
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
