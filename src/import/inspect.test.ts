import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compilePrompt } from '../prompts/render.js';
import { prepareTask } from '../scorers/aggregate.js';
import { planInspect } from './inspect.js';
import { cleanupDirectories, importFixture, rejection, tempDirectory } from './test-helpers.js';

afterEach(cleanupDirectories);

const QUIZ = path.join('test', 'fixtures', 'import', 'inspect', 'astronomy-quiz.jsonl');

describe('assay import inspect', () => {
  it('imports multiple-choice samples with lettered choices, metadata and ids', async () => {
    const { plan, project, read } = await importFixture('inspect', 'inspect/astronomy-quiz.jsonl');
    expect(plan.files.map((file) => [file.path, file.summary])).toEqual([
      ['assay.yaml', '1 prompt, 1 target, 1 task file'],
      ['prompts/astronomy-quiz.yaml', 'the sample messages and choices'],
      ['tasks/astronomy-quiz.jsonl', '5 tasks'],
    ]);
    expect(await read('prompts/astronomy-quiz.yaml')).toContain('- messages: messages\n');
    expect((await project.taskSource.all()).tasks.map((task) => task.id)).toEqual([
      'astro-001',
      'astro-002',
      'astro-003',
      '4',
      'astro-005',
    ]);
    const [first, , third, fourth, fifth] = (await project.taskSource.all()).tasks;
    expect(first).toMatchObject({
      vars: {
        messages: [{ role: 'user', content: 'Which planet has the shortest year?' }],
        choices: ['Venus', 'Mercury', 'Mars', 'Earth'],
        choices_text: 'A) Venus\nB) Mercury\nC) Mars\nD) Earth',
      },
      expected: 'B',
      assert: [{ type: 'equals' }],
      metadata: { topic: 'planets', level: 1 },
    });
    expect(third?.vars.messages).toEqual([
      { role: 'system', content: 'You are an astronomy tutor.' },
      { role: 'user', content: 'Which of these is a dwarf planet?' },
    ]);
    // A one-item target list is a plain expected answer; unknown fields become metadata.
    expect(fourth).toMatchObject({ expected: 'B', metadata: { source: 'textbook ch. 9' } });
    expect(fifth?.vars).toMatchObject({ choices: [], choices_text: '' });

    // Assay's scorers accept every imported assertion.
    for (const task of (await project.taskSource.all()).tasks) expect(() => prepareTask(task)).not.toThrow();
    const render = compilePrompt(project.prompts[0]!, project.baseDir);
    expect(render(third!.vars, 'task astro-003')).toEqual([
      { role: 'system', content: 'You are an astronomy tutor.' },
      { role: 'user', content: 'Which of these is a dwarf planet?' },
      {
        role: 'user',
        content:
          'A) Ceres\nB) Titan\nC) Europa\nD) Ganymede\n\nAnswer with the letter of the correct choice only.',
      },
    ]);

    expect(plan.skipped).toEqual([
      { item: '"sandbox" of sample astro-005', where: `${QUIZ}:5`, reason: 'sandboxes are not supported' },
      {
        item: '"files" of sample astro-005',
        where: `${QUIZ}:5`,
        reason: 'files copied into a sandbox are not supported',
      },
    ]);
  });

  it('imports a CSV with a JSON list target and extra columns as metadata, into a text prompt', async () => {
    const { plan, project } = await importFixture('inspect', 'inspect/geography.csv');
    expect(plan.skipped).toEqual([]);
    expect(project.prompts[0]).toMatchObject({ name: 'geography', kind: 'text', source: '{{ input }}' });
    expect(
      (await project.taskSource.all()).tasks.map((task) => [
        task.id,
        task.vars,
        task.expected,
        task.assert,
        task.metadata,
      ]),
    ).toEqual([
      [
        'geo-1',
        { input: 'What is the capital of Kenya?' },
        'Nairobi',
        [{ type: 'equals' }],
        { region: 'africa' },
      ],
      [
        'geo-2',
        { input: 'Which river flows through Budapest?' },
        'Danube',
        [{ type: 'equals' }],
        { region: 'europe' },
      ],
      [
        'geo-3',
        { input: 'Name the largest desert in Asia, by area.' },
        'Gobi',
        [{ type: 'contains-any', value: ['Gobi', 'Gobi Desert'] }],
        { region: 'asia' },
      ],
    ]);
  });

  it('writes a text prompt with the choices when every input is a string, and names skipped samples', async () => {
    const dir = await tempDirectory();
    const file = path.join(dir, 'quiz.json');
    await writeFile(
      file,
      JSON.stringify(
        [
          { input: 'Largest planet?', choices: ['Jupiter', 'Saturn'], target: 'A' },
          { input: [{ role: 'tool', content: '{}' }], target: 'A' },
          { input: 'Hottest planet?', choices: ['Mercury', 'Venus'], target: 'B' },
        ],
        null,
        2,
      ),
    );
    const plan = await planInspect(file);
    expect(plan.counts.tasks).toBe(2);
    expect(plan.skipped).toEqual([
      {
        item: 'sample 2',
        where: expect.stringMatching(/quiz\.json:10:3$/),
        reason: 'tool calls and tool results in the conversation are not supported',
      },
    ]);
    expect(plan.files[1]?.path).toBe('prompts/quiz.njk');
    expect(plan.notes).toEqual([
      'multiple-choice samples expect the letter of the answer (A, B, …), compared with `equals`',
    ]);
  });

  it('asks for a letter only in samples that have choices', async () => {
    const dir = await tempDirectory();
    const file = path.join(dir, 'mixed.jsonl');
    await writeFile(
      file,
      `${JSON.stringify({ input: 'What is 3 + 3?', target: '6' })}\n${JSON.stringify({ input: 'Largest planet?', choices: ['Jupiter', 'Saturn'], target: 'A' })}\n`,
    );
    const plan = await planInspect(file);
    await plan.files.find((entry) => entry.path.endsWith('.njk'))!.write(path.join(dir, 'prompt.njk'));
    const template = await readFile(path.join(dir, 'prompt.njk'), 'utf8');
    const nunjucks = (await import('nunjucks')).default;
    const render = (vars: object) => nunjucks.renderString(template, vars);
    expect(render({ input: 'What is 3 + 3?', choices: [], choices_text: '' })).toBe('What is 3 + 3?');
    expect(render({ input: 'Largest planet?', choices_text: 'A) Jupiter\nB) Saturn' })).toMatch(
      /A\) Jupiter\nB\) Saturn\n\n.*letter/,
    );
  });

  it.each([
    ['{"id": "a", "input": "x"}\n{"id": "a", "input": "y"}\n', 'duplicate sample id "a"', ':2'],
    ['{"input": "x", "choices": "A or B"}\n', '"choices" must be a list of at most 26 texts', ':1'],
    ['{"input": "x", "metadata": ["a"]}\n', '"metadata" must be an object', ':1'],
    ['{"input": "x", "id": {"n": 1}}\n', '"id" must be text or a number', ':1'],
    ['{"target": "x"}\n', 'expected a sample object with "input"', ':1'],
  ])('rejects %j', async (content, message, line) => {
    const dir = await tempDirectory();
    const file = path.join(dir, 'bad.jsonl');
    await writeFile(file, content);
    const error = await rejection(planInspect(file));
    expect(error.message).toBe(message);
    expect(error.location).toMatch(new RegExp(`bad\\.jsonl${line}$`));
  });

  it('rejects a JSON file that is not a list, and an unsupported file type', async () => {
    const dir = await tempDirectory();
    await writeFile(path.join(dir, 'one.json'), '{"input": "x"}');
    expect((await rejection(planInspect(path.join(dir, 'one.json')))).message).toBe(
      'expected a list of samples',
    );
    await writeFile(path.join(dir, 'data.parquet'), 'PAR1');
    expect((await rejection(planInspect(path.join(dir, 'data.parquet')))).message).toBe(
      'unsupported dataset file type ".parquet"',
    );
  });
});
