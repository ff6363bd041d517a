import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTaskFile } from '../datasets/load.js';
import { csvField, planCsv } from './csv.js';
import { writePlan } from './output.js';
import { cleanupDirectories, FIXTURES, importFixture, rejection, tempDirectory } from './test-helpers.js';

afterEach(cleanupDirectories);

describe('assay import csv', () => {
  it('checks the rows with the task loader and writes a normalised copy that loads the same tasks', async () => {
    const { plan, project, read } = await importFixture('csv', 'csv/translations.csv');
    expect(plan.files.map((file) => [file.path, file.summary])).toEqual([
      ['assay.yaml', '1 prompt, 1 target, 1 task file'],
      ['prompts/translations.njk', 'a prompt showing every variable; edit it'],
      ['tasks/translations.csv', '4 tasks'],
    ]);
    expect(plan.skipped).toEqual([]);
    expect(project.prompts[0]?.source).toBe('phrase: {{ phrase }}\ntarget_language: {{ target_language }}');
    expect(await read('tasks/translations.csv')).toBe(
      [
        'phrase,target_language,__id,__expected,__tags,__description',
        'Good morning,French,fr-morning,Bonjour,"greeting, fr",Morning greeting',
        'Thank you very much,Spanish,es-thanks,Muchas gracias,"courtesy, es",',
        '"Where is the station?\nI am lost.",German,de-station,Wo ist der Bahnhof? Ich habe mich verirrt.,travel,Two sentences',
        'See you tomorrow,Italian,it-tomorrow,A domani,greeting,',
        '',
      ].join('\n'),
    );
    const original = await loadTaskFile(path.join(FIXTURES, 'csv/translations.csv'), FIXTURES);
    const strip = (tasks: typeof original) => tasks.map(({ source: _source, ...task }) => task);
    expect(strip((await project.taskSource.all()).tasks)).toEqual(strip(original));
    expect((await project.taskSource.all()).tasks.map((task) => [task.id, task.tags])).toEqual([
      ['fr-morning', ['greeting', 'fr']],
      ['es-thanks', ['courtesy', 'es']],
      ['de-station', ['travel']],
      ['it-tomorrow', ['greeting']],
    ]);
  });

  it('quotes only fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('')).toBe('');
  });

  it('lists columns that cannot be template variables', async () => {
    const dir = await tempDirectory();
    const file = path.join(dir, 'ratings.csv');
    await writeFile(file, 'user question,lang,__expected\nIs it on?,en,yes\n');
    const plan = await planCsv(file);
    expect(plan.skipped).toEqual([
      {
        item: 'column "user question" in the prompt',
        where: `${path.relative(process.cwd(), file)}:1`,
        reason: 'not a valid template variable name; rename the column (letters, digits, _) to use it',
      },
    ]);
    await writePlan(plan, path.join(dir, 'out'), false);
    expect(await readFile(path.join(dir, 'out/prompts/ratings.njk'), 'utf8')).toBe('{{ lang }}');
  });

  it.each([
    ['q,__weight\nhi,2\n', 'unknown special column __weight', /bad\.csv$/],
    ['q,__threshold\nok,0.5\nbad,7\n', 'threshold', /bad\.csv:3$/],
    ['q,__id\nx,a\ny,a\n', 'duplicate task id "a" (also at', /bad\.csv:3$/],
    ['q,__id\n', 'no rows in the file', /bad\.csv$/],
    ['q,a\n"open,1\nx,2\n', 'invalid CSV', /bad\.csv(:\d+)?$/],
  ])('rejects %j, naming the place', async (content, message, location) => {
    const dir = await tempDirectory();
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, content);
    const error = await rejection(planCsv(file));
    expect(error.message).toContain(message);
    expect(error.location).toMatch(location);
  });

  it('rejects a file that is not CSV', async () => {
    const error = await rejection(planCsv(path.join(FIXTURES, 'inspect/astronomy-quiz.jsonl')));
    expect(error.message).toBe('expected a .csv file, got "astronomy-quiz.jsonl"');
    expect(error.hint).toContain('assay import inspect');
  });
});
