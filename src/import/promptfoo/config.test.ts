import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../config/load.js';
import { resolveGrader } from '../../config/targets.js';
import { compilePrompt } from '../../prompts/render.js';
import { prepareTask } from '../../scorers/aggregate.js';
import { standalonePrepareContext } from '../../scorers/registry.js';
import type { PrepareContext } from '../../scorers/scorer.js';
import { writePlan } from '../output.js';
import {
  cleanupDirectories,
  FIXTURES,
  importFixture,
  rejection,
  tempDirectory,
  writeBrokenConfig,
} from '../test-helpers.js';
import { planPromptfoo } from './config.js';

afterEach(cleanupDirectories);

const CONFIG = path.join('test', 'fixtures', 'import', 'promptfoo', 'promptfooconfig.yaml');
const CSV = path.join('test', 'fixtures', 'import', 'promptfoo', 'tests', 'extra.csv');

describe('assay import promptfoo (fixture project)', () => {
  it('writes prompts, targets and tasks that Assay loads', async () => {
    const { plan, project } = await importFixture('promptfoo', 'promptfoo/promptfooconfig.yaml');
    expect(plan.files.map((file) => [file.path, file.summary])).toEqual([
      ['assay.yaml', '2 prompts, 3 targets, 1 task file'],
      ['prompts/support.njk', 'text prompt'],
      ['prompts/triage.yaml', 'chat prompt'],
      ['tasks/promptfooconfig.yaml', '11 tasks'],
    ]);
    expect(project.config.description).toBe('Acme Outfitters support assistant');
    expect(project.config.defaults.concurrency).toBe(4);
    expect(project.prompts.map((prompt) => [prompt.name, prompt.kind])).toEqual([
      ['support', 'text'],
      ['triage', 'chat'],
    ]);
    expect(project.config.targets).toEqual([
      { id: 'openai:gpt-4o-mini', label: 'mini', config: { temperature: 0, max_tokens: 300 } },
      'anthropic:claude-3-5-haiku-20241022',
      { id: 'google:gemini-1.5-flash-002', config: { temperature: 0.2, maxOutputTokens: 256 } },
    ]);
    expect(project.targets.map((target) => target.name)).toEqual([
      'mini/support',
      'mini/triage',
      'anthropic:claude-3-5-haiku-20241022/support',
      'anthropic:claude-3-5-haiku-20241022/triage',
      'google:gemini-1.5-flash-002/support',
      'google:gemini-1.5-flash-002/triage',
    ]);
    expect((await project.taskSource.all()).tasks.map((task) => task.id)).toEqual([
      'refund-window',
      'shipping-to-canada',
      'order-status-asks-for-the-number',
      'triage-returns-json',
      'polite-under-pressure',
      'sizing-question-in-two-languages-1',
      'sizing-question-in-two-languages-2',
      'tool-call-for-order-lookup',
      'sleeping-bag-warranty',
      'store-pickup',
      'test-10',
    ]);
  });

  it('merges defaultTest into every task and maps each assertion', async () => {
    const { project } = await importFixture('promptfoo', 'promptfoo/promptfooconfig.yaml');
    const byId = new Map((await project.taskSource.all()).tasks.map((task) => [task.id, task]));
    const defaults = [
      { type: 'latency', threshold: 8000 },
      { type: 'not-icontains', value: 'as an AI language model' },
    ];
    for (const task of (await project.taskSource.all()).tasks) {
      expect(task.assert.slice(0, 2)).toEqual(defaults);
      expect(String(task.vars.policy)).toContain('unused items can be returned within 30 days');
    }
    const rest = (id: string) => byId.get(id)?.assert.slice(2);
    expect(rest('refund-window')).toEqual([
      { type: 'icontains', value: '30 days' },
      {
        type: 'llm-rubric',
        value: 'Says the tent must be unused to qualify for a refund',
        weight: 2,
        metric: 'policy_accuracy',
        grader: 'openai:gpt-4o',
      },
    ]);
    expect(rest('shipping-to-canada')).toEqual([{ type: 'contains-any', value: ['Canada', 'Canadian'] }]);
    expect(rest('order-status-asks-for-the-number')).toEqual([
      { type: 'contains-any', value: ['order number', 'order id'], options: { ignoreCase: true } },
      { type: 'regex', value: '\\b(order|tracking)\\b' },
      {
        type: 'similar',
        value: 'Could you share your order number so I can check its status?',
        threshold: 0.75,
        grader: 'openai:text-embedding-3-large',
      },
    ]);
    expect(rest('triage-returns-json')).toEqual([
      { type: 'is-json', options: { schema: { type: 'object', required: ['category'] } } },
      { type: 'contains-json' },
      { type: 'javascript', value: "['refund', 'product'].includes(JSON.parse(output).category)" },
    ]);
    expect(byId.get('polite-under-pressure')).toMatchObject({
      threshold: 0.6,
      assert: [
        ...defaults,
        {
          type: 'closed-qa',
          value: 'Does the reply stay calm and offer a concrete next step?',
          grader: 'openai:gpt-4o',
        },
        {
          type: 'g-eval',
          value: 'The response is empathetic and concise.',
          threshold: 0.7,
          grader: 'openai:gpt-4o',
        },
        {
          type: 'factuality',
          value: 'Acme Outfitters accepts returns of unused items within 30 days.',
          grader: 'openai:gpt-4o',
        },
      ],
    });
    expect(byId.get('sizing-question-in-two-languages-2')?.vars.question).toBe(
      '¿Las botas de montaña tallan pequeño?',
    );
    expect(rest('sizing-question-in-two-languages-1')).toEqual([
      { type: 'answer-relevance', threshold: 0.7, grader: 'openai:gpt-4o' },
      { type: 'rouge-n', value: 'Our hiking boots run true to size.', threshold: 0.4 },
      { type: 'not-contains', value: "I don't know" },
    ]);
    expect(rest('tool-call-for-order-lookup')).toEqual([
      { type: 'tool-call' },
      { type: 'cost', threshold: 0.002 },
    ]);
    // Tests read from the CSV: __expected cells, descriptions and __metadata columns.
    expect(byId.get('sleeping-bag-warranty')).toMatchObject({ metadata: { topic: 'warranty' } });
    expect(rest('sleeping-bag-warranty')).toEqual([
      { type: 'icontains', value: 'two years' },
      {
        type: 'similar',
        value: 'Sleeping bags carry a two-year warranty.',
        threshold: 0.8,
        grader: 'openai:text-embedding-3-large',
      },
    ]);
    expect(rest('store-pickup')).toEqual([
      { type: 'contains-any', value: ['pickup', 'pick up'] },
      { type: 'not-icontains', value: 'sorry' },
    ]);
    expect(rest('test-10')).toEqual([
      {
        type: 'llm-rubric',
        value: 'Says the tent is waterproof and mentions the rainfly',
        grader: 'openai:gpt-4o',
      },
    ]);
  });

  it('renders both imported prompts for every task', async () => {
    const { project } = await importFixture('promptfoo', 'promptfoo/promptfooconfig.yaml');
    const [support, triage] = project.prompts.map((prompt) => compilePrompt(prompt, project.baseDir));
    const task = (await project.taskSource.all()).tasks[0]!;
    expect(support!(task.vars, task.id)[0]?.content).toContain(
      'Customer: How long do I have to return a tent I bought last week?',
    );
    expect(triage!(task.vars, task.id)).toEqual([
      {
        role: 'system',
        content:
          'Sort the customer\'s message into one category: refund, shipping, product or other. Reply with JSON only, for example {"category": "shipping"}.',
      },
      { role: 'user', content: 'How long do I have to return a tent I bought last week?' },
    ]);
    for (const each of (await project.taskSource.all()).tasks)
      expect(() => support!(each.vars, each.id)).not.toThrow();
  });

  it("has Assay's scorers accept every imported assertion", async () => {
    const { project } = await importFixture('promptfoo', 'promptfoo/promptfooconfig.yaml');
    const graders: string[] = [];
    const context: PrepareContext = {
      ...standalonePrepareContext(project.baseDir),
      resolveGrader: (grader) => {
        graders.push(grader ?? '(default)');
        return grader ?? 'openai:gpt-4o-mini';
      },
      recordJudgePrompt: () => {},
    };
    for (const task of (await project.taskSource.all()).tasks)
      expect(() => prepareTask(task, task.id, undefined, context)).not.toThrow();
    expect(new Set(graders)).toEqual(new Set(['openai:gpt-4o', 'openai:text-embedding-3-large']));
  });

  it('lists exactly what it skipped, where, and why', async () => {
    const plan = await planPromptfoo(path.join(FIXTURES, 'promptfoo/promptfooconfig.yaml'), { env: {} });
    expect(plan.skipped).toEqual([
      {
        item: 'outputPath',
        where: `${CONFIG}:134:1`,
        reason: 'every run is stored in the Assay database; export with `assay results --json`',
      },
      {
        item: 'provider "mini" config.apiKey',
        where: `${CONFIG}:15:7`,
        reason: 'keys are never copied; set the provider key variable (or api_key_env)',
      },
      {
        item: 'provider "https://support-bot.internal.example/api/chat"',
        where: `${CONFIG}:22:5`,
        reason: 'custom HTTP providers are not converted; write an http:<name> target (docs/config.md)',
      },
      {
        item: 'provider "file://providers/legacy_bot.js"',
        where: `${CONFIG}:26:5`,
        reason:
          'promptfoo provider modules (a class with callApi) do not fit Assay file: providers; wrap it in a module exporting a function',
      },
      {
        item: 'test "Shipping to Canada" assert[1] python',
        where: `${CONFIG}:57:9`,
        reason: 'Python assertions cannot run in Assay; rewrite the check as a javascript assertion',
      },
      {
        item: 'test "Triage returns JSON" options.transform',
        where: `${CONFIG}:76:7`,
        reason: 'output transforms are not supported (assertions see the raw output)',
      },
      {
        item: 'test "Polite under pressure" assert[2] select-best',
        where: `${CONFIG}:96:9`,
        reason: 'compares the outputs of several targets; Assay scores each output on its own',
      },
      {
        item: 'test "Sizing question in two languages" assert[3] perplexity',
        where: `${CONFIG}:114:9`,
        reason: 'needs token log-probabilities, which Assay does not record',
      },
      {
        item: 'test "Tool call for order lookup" provider',
        where: `${CONFIG}:120:5`,
        reason: 'per-test providers are not supported; Assay runs every task on every target',
      },
      {
        item: 'test "Tool call for order lookup" assert[2] webhook',
        where: `${CONFIG}:125:9`,
        reason: 'webhook assertions are not supported',
      },
      {
        item: 'test 10 assert[1] python',
        where: `${CSV}:4`,
        reason: 'Python assertions cannot run in Assay; rewrite the check as a javascript assertion',
      },
      {
        item: 'test 10 options.prefix',
        where: `${CSV}:4`,
        reason: 'prompt prefixes are not supported; add the text to the prompt',
      },
      {
        item: 'evaluateOptions.delay',
        where: `${CONFIG}:132:3`,
        reason: 'no Assay counterpart (see `defaults` in docs/config.md)',
      },
    ]);
    expect(plan.notes).toEqual([
      'provider "vertex:gemini-1.5-flash-002": imported as google:gemini-1.5-flash-002, called through the Gemini API (GEMINI_API_KEY), not Vertex AI credentials',
      'test "Refund window" assert[1] llm-rubric: metric "policy accuracy" renamed to "policy_accuracy"',
      "similar assertions with no embedding provider in the promptfoo config get openai:text-embedding-3-large (promptfoo's default embedding model) as their grader",
      'test "Sizing question in two languages": array-valued vars expand to 2 tasks (sizing-question-in-two-languages-1 … sizing-question-in-two-languages-2)',
    ]);
    // Every file the import read is protected from being overwritten by it.
    expect(plan.inputs.map((input) => path.relative(path.join(FIXTURES, 'promptfoo'), input)).sort()).toEqual(
      [
        'policy.md',
        'promptfooconfig.yaml',
        path.join('prompts', 'support.txt'),
        path.join('prompts', 'triage.json'),
        path.join('tests', 'extra.csv'),
      ],
    );
  });

  it('reports malformed YAML with its file, line and column', async () => {
    const file = await writeBrokenConfig();
    const error = await rejection(planPromptfoo(file));
    expect(error.message).toMatch(/^invalid YAML: Flow map in block collection/);
    expect(error.location).toBe(`${path.relative(process.cwd(), file)}:8:5`);
  });
});

describe('graders of model-graded assertions', () => {
  const CONFIG_TEXT = `prompts: ['Q: {{question}}']
providers: [openai:gpt-4o-mini]
tests:
  - vars: { question: Where is Paris? }
    assert:
      - { type: llm-rubric, value: names France }
      - { type: model-graded-closedqa, value: is one sentence }
      - { type: factuality, value: Paris is in France, provider: anthropic:messages:claude-3-5-haiku-20241022 }
      - { type: similar, value: Paris is in France }
`;

  async function importProject(config: string, env: Record<string, string>) {
    const dir = await tempDirectory();
    await writeFile(path.join(dir, 'promptfooconfig.yaml'), config);
    const plan = await planPromptfoo(path.join(dir, 'promptfooconfig.yaml'), { env });
    await mkdir(path.join(dir, 'assay'));
    await writePlan(plan, path.join(dir, 'assay'), false);
    const project = await loadProject({ cwd: path.join(dir, 'assay'), env: {} });
    // What `assay run` does when it prepares scorers: every judge must resolve.
    const judges: string[] = [];
    const context: PrepareContext = {
      ...standalonePrepareContext(project.baseDir),
      resolveGrader: (grader, where) => {
        const target = resolveGrader(project.config, grader, where, project.locate);
        judges.push(target.name);
        return target.name;
      },
    };
    for (const task of (await project.taskSource.all()).tasks) prepareTask(task, task.id, undefined, context);
    return { plan, project, judges, yaml: await readFile(path.join(dir, 'assay', 'assay.yaml'), 'utf8') };
  }

  it("sets promptfoo's default grader for the environment when the config names none, and says so", async () => {
    const { plan, judges, yaml } = await importProject(CONFIG_TEXT, {
      ANTHROPIC_API_KEY: 'sk-ant-not-a-key',
    });
    expect(yaml).toContain('\ngrader: anthropic:claude-sonnet-4-5-20250929\n');
    expect(yaml).not.toContain('sk-ant');
    expect(judges).toEqual([
      'judge:anthropic:claude-sonnet-4-5-20250929',
      'judge:anthropic:claude-sonnet-4-5-20250929',
      'judge:anthropic:claude-3-5-haiku-20241022',
      'judge:openai:text-embedding-3-large',
    ]);
    expect(plan.notes).toEqual([
      "similar assertions with no embedding provider in the promptfoo config get openai:text-embedding-3-large (promptfoo's default embedding model) as their grader",
      "model-graded assertions with no grader in the promptfoo config use promptfoo's default grader for this environment (ANTHROPIC_API_KEY is set and OPENAI_API_KEY is not): `grader: anthropic:claude-sonnet-4-5-20250929` in assay.yaml; change it there",
    ]);
  });

  it('uses defaultTest.options.provider (and the config env:) instead, writing no default', async () => {
    const withProvider = CONFIG_TEXT.replace(
      'tests:',
      'defaultTest:\n  options:\n    provider: { text: openai:chat:gpt-4o, embedding: openai:embedding:text-embedding-3-small }\ntests:',
    );
    const chosen = await importProject(withProvider, {});
    expect(chosen.yaml).not.toContain('grader:');
    expect(chosen.judges).toEqual([
      'judge:openai:gpt-4o',
      'judge:openai:gpt-4o',
      'judge:anthropic:claude-3-5-haiku-20241022',
      'judge:openai:text-embedding-3-small',
    ]);
    const fromConfigEnv = await importProject(`env: { GEMINI_API_KEY: from-config }\n${CONFIG_TEXT}`, {});
    expect(fromConfigEnv.yaml).toContain('\ngrader: google:gemini-2.5-pro\n');
    expect(fromConfigEnv.yaml).not.toContain('from-config');
  });
});
