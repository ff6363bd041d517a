import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../config/load.js';
import { compilePrompt } from '../prompts/render.js';
import { prepareTask } from '../scorers/aggregate.js';
import { planOpenAiEvals } from './openai-evals.js';
import { writePlan } from './output.js';
import { cleanupDirectories, importFixture, rejection, tempDirectory } from './test-helpers.js';

afterEach(cleanupDirectories);

const FIXTURE = 'openai-evals/unit-conversions.jsonl';
const SOURCE = path.join('test', 'fixtures', 'import', FIXTURE);

describe('assay import openai-evals', () => {
  it('writes tasks whose messages a chat prompt splices, and an assay.yaml that loads', async () => {
    const { plan, project, read } = await importFixture('openai-evals', FIXTURE);
    expect(plan.files.map((file) => [file.path, file.summary])).toEqual([
      ['assay.yaml', '1 prompt, 1 target, 1 task file'],
      ['prompts/unit-conversions.yaml', 'the sample messages'],
      ['tasks/unit-conversions.jsonl', '4 tasks'],
    ]);
    expect(plan.counts).toEqual({ prompts: 1, targets: 1, tasks: 4 });
    expect(project.prompts.map((prompt) => [prompt.name, prompt.kind])).toEqual([
      ['unit-conversions', 'chat'],
    ]);
    expect(project.targets.map((target) => target.name)).toEqual(['echo']);
    expect(await read('prompts/unit-conversions.yaml')).toContain('- messages: messages\n');

    // Ids follow the sample's position (a blank line is not a sample; sample 4, with tool calls, is skipped).
    expect((await project.taskSource.all()).tasks.map((task) => task.id)).toEqual([
      'unit-conversions-1',
      'unit-conversions-2',
      'unit-conversions-3',
      'unit-conversions-5',
    ]);
    const [single, several, plain, parts] = (await project.taskSource.all()).tasks;
    expect(single).toMatchObject({ expected: '36 inches', assert: [{ type: 'equals' }] });
    expect(several).toMatchObject({
      expected: '1500 millilitres',
      assert: [{ type: 'contains-any', value: ['1500 millilitres', '1500 ml', '1500 mL'] }],
    });
    // Few-shot turns written as named system messages become user / assistant turns.
    expect(several?.vars.messages).toEqual([
      { role: 'system', content: 'Convert the quantity. Reply with the number and unit only.' },
      { role: 'user', content: '2 kilometres in metres' },
      { role: 'assistant', content: '2000 metres' },
      { role: 'user', content: '1.5 litres in millilitres' },
    ]);
    // A string input in a file of message lists becomes one user message; a number ideal is text.
    expect(plain).toMatchObject({
      vars: {
        messages: [
          { role: 'user', content: 'How many grams are in 2.5 kilograms? Reply with the number only.' },
        ],
      },
      expected: '2500',
    });
    // Text parts are joined; other fields stay as variables.
    expect(parts?.vars).toEqual({
      difficulty: 'easy',
      messages: [{ role: 'user', content: 'Convert 212 degrees Fahrenheit\nto Celsius.' }],
    });

    // Assay's scorers accept every imported assertion.
    for (const task of (await project.taskSource.all()).tasks) expect(() => prepareTask(task)).not.toThrow();
    const render = compilePrompt(project.prompts[0]!, project.baseDir);
    expect(render(several!.vars, 'task')).toEqual(several!.vars.messages);

    expect(plan.skipped).toEqual([
      {
        item: 'sample 4',
        where: `${SOURCE}:5`,
        reason: 'tool calls and tool results in the conversation are not supported',
      },
    ]);
  });

  it('uses an `input` variable and a text prompt when every input is a string', async () => {
    const dir = await tempDirectory();
    const file = path.join(dir, 'Spelling Bee.jsonl');
    await writeFile(
      file,
      '{"input": "Spell the word for a baby cat.", "ideal": "kitten"}\n{"input": "Spell 8 in words.", "ideal": ["eight", "Eight"]}\n',
    );
    const plan = await planOpenAiEvals(file);
    expect(plan.files.map((entry) => entry.path)).toEqual([
      'assay.yaml',
      'prompts/spelling-bee.njk',
      'tasks/spelling-bee.jsonl',
    ]);
    const out = path.join(dir, 'out');
    await writePlan(plan, out, false);
    const project = await loadProject({ cwd: out, env: {} });
    expect(project.prompts[0]?.source).toBe('{{ input }}');
    expect((await project.taskSource.all()).tasks.map((task) => [task.id, task.vars, task.expected])).toEqual(
      [
        ['spelling-bee-1', { input: 'Spell the word for a baby cat.' }, 'kitten'],
        ['spelling-bee-2', { input: 'Spell 8 in words.' }, 'eight'],
      ],
    );
  });

  it.each([
    ['{"input": "a", "ideal": "b"}\n{"ideal": "x"}\n', ':2', 'expected a sample object with "input"'],
    ['{"input": "a", "ideal": {"answer": "b"}}\n', ':1', '"ideal" must be text or a list of texts'],
    ['{"input": [{"role": "narrator", "content": "x"}]}\n', ':1', '"input"[0] has unknown role "narrator"'],
    ['{"input": [{"role": "user", "content": 7}]}\n', ':1', '"input"[0].content must be text'],
    ['{"input": 42}\n', ':1', '"input" must be a string or a list'],
    ['{"input": "a"}\n{"input": "b",}\n', ':2', 'invalid JSON line'],
  ])('rejects bad samples with their line: %j', async (content, line, message) => {
    const dir = await tempDirectory();
    const file = path.join(dir, 'bad.jsonl');
    await writeFile(file, content);
    const error = await rejection(planOpenAiEvals(file));
    expect(error.message).toContain(message);
    expect(error.location).toMatch(new RegExp(`bad\\.jsonl${line}$`));
  });

  it('rejects an empty file and a missing one', async () => {
    const dir = await tempDirectory();
    await writeFile(path.join(dir, 'empty.jsonl'), '\n\n');
    expect((await rejection(planOpenAiEvals(path.join(dir, 'empty.jsonl')))).message).toBe(
      'no samples in the file',
    );
    const missing = await rejection(planOpenAiEvals(path.join(dir, 'gone.jsonl')));
    expect(missing.message).toBe('cannot read file: ENOENT');
  });
});
