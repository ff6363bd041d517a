import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { type LoadedPrompt, loadPromptFile } from './load.js';
import { compilePrompt } from './render.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-render-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function prompt(name: string, content: string): Promise<LoadedPrompt> {
  const full = path.join(dir, name);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, content);
  return loadPromptFile(full, dir);
}

function thrown(action: () => unknown): UserError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

const WHERE = 'task "capital" (tasks.yaml:3:3)';

describe('compilePrompt', () => {
  it('renders a text prompt as one user message, without HTML escaping', async () => {
    const render = compilePrompt(await prompt('answer.njk', 'Q: {{ q }}\nA:'), dir);
    expect(render({ q: '<b>1 & 2</b>' }, WHERE)).toEqual([{ role: 'user', content: 'Q: <b>1 & 2</b>\nA:' }]);
    // Compiled once, rendered for any number of tasks.
    expect(render({ q: 'other' }, WHERE)).toEqual([{ role: 'user', content: 'Q: other\nA:' }]);
  });

  it('renders every message of a chat prompt', async () => {
    const render = compilePrompt(
      await prompt(
        'tutor.yaml',
        '- role: system\n  content: "Tutor for {{ subject }}."\n- role: user\n  content: |\n    {% for step in steps %}{{ loop.index }}. {{ step }}\n    {% endfor %}\n',
      ),
      dir,
    );
    expect(render({ subject: 'maths', steps: ['add', 'carry'] }, WHERE)).toEqual([
      { role: 'system', content: 'Tutor for maths.' },
      { role: 'user', content: '1. add\n2. carry\n\n' },
    ]);
  });

  it('reports an undefined variable naming the prompt file, its line and the task', async () => {
    const render = compilePrompt(
      await prompt('prompts/answer.njk', 'Context: {{ context }}\nQ: {{ question }}'),
      dir,
    );
    const error = thrown(() => render({ context: 'geo' }, WHERE));
    expect(error.location).toMatch(
      new RegExp(`^${path.join('prompts', 'answer.njk').replace(/[.\\]/g, '\\$&')}:2:\\d+$`),
    );
    expect(error.message).toContain(WHERE);
    expect(error.message).toContain('attempted to output null or undefined value');
    expect(error.hint).toBe('the template uses a variable the task does not define: add it to the task vars');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('treats a null variable like an undefined one', async () => {
    const render = compilePrompt(await prompt('a.njk', '{{ x }}'), dir);
    expect(thrown(() => render({ x: null }, WHERE)).message).toContain('null or undefined');
  });

  it('reports a syntax error at compile time with the file and line', async () => {
    const loaded = await prompt('broken.njk', 'line one\n{% if x %}\n{{ name }\n');
    const error = thrown(() => compilePrompt(loaded, dir));
    expect(error.location).toMatch(/^broken\.njk:3:\d+$/);
    expect(error.message).not.toContain('rendering for');
    expect(error.hint).toBe('fix the template syntax');
  });

  it('reports an unclosed block at the last line of the template', async () => {
    const loaded = await prompt('unclosed.njk', 'Hello\n{% if urgent %}\nHurry.\nBye');
    const error = thrown(() => compilePrompt(loaded, dir));
    expect(error.message).toMatch(/end of file/);
    expect(error.location).toBe('unclosed.njk:4:1');
  });

  it('reports a syntax error in a chat prompt at its line in the file', async () => {
    const loaded = await prompt(
      'chat.yaml',
      '- role: system\n  content: Be terse.\n- role: user\n  content: |\n    Question:\n    {{ question }\n',
    );
    const error = thrown(() => compilePrompt(loaded, dir));
    // Line 2, column 13 of the message text; the text starts at line 5, column 5 of the file.
    expect(error.location).toBe('chat.yaml:6:17');
  });

  it('reports an undefined variable in a one-line chat message at its line in the file', async () => {
    const loaded = await prompt(
      'chat.yaml',
      '- role: system\n  content: Be terse.\n- role: user\n  content: "Q: {{ q }}"\n',
    );
    const error = thrown(() => compilePrompt(loaded, dir)({}, WHERE));
    // Column 16 is the `{{` after the opening quote.
    expect(error.location).toBe('chat.yaml:4:16');
    expect(error.message).toContain(WHERE);
  });

  it('splices the message list held by a task variable between other messages', async () => {
    const render = compilePrompt(
      await prompt(
        'support.yaml',
        '- role: system\n  content: You help {{ customer }}.\n- messages: history\n- role: user\n  content: "{{ question }}"\n',
      ),
      dir,
    );
    const history = [
      { role: 'user', content: 'My order is late.' },
      { role: 'assistant', content: 'Sorry! What is the order number?' },
    ];
    expect(render({ customer: 'Ada', history, question: 'It is 4417.' }, WHERE)).toEqual([
      { role: 'system', content: 'You help Ada.' },
      ...history,
      { role: 'user', content: 'It is 4417.' },
    ]);
    // An empty list inserts nothing; extra fields on messages are dropped.
    expect(
      render(
        { customer: 'Bo', history: [{ role: 'user', content: 'Hi', name: 'bo' }], question: 'Q' },
        WHERE,
      ),
    ).toEqual([
      { role: 'system', content: 'You help Bo.' },
      { role: 'user', content: 'Hi' },
      { role: 'user', content: 'Q' },
    ]);
    expect(render({ customer: 'Cy', history: [], question: 'Q' }, WHERE)).toHaveLength(2);
  });

  it.each([
    [undefined, 'the task does not define it'],
    ['hello', 'it is string'],
    [null, 'it is null'],
    [[{ role: 'user', content: 'ok' }, 'oops'], 'item 1 is not an object'],
    [[{ role: 'tool', content: 'x' }], 'item 0 has role "tool"'],
    [[{ content: 'x' }], 'item 0 has role undefined'],
    [[{ role: 'user', content: [{ type: 'text', text: 'x' }] }], 'item 0 has a non-string (list) content'],
    [[{ role: 'user' }], 'item 0 has no content'],
  ])('rejects a spliced variable %j, naming the prompt file, line and task', async (history, problem) => {
    const render = compilePrompt(
      await prompt('prompts/chat.yaml', '- role: system\n  content: Be brief.\n- messages: history\n'),
      dir,
    );
    const error = thrown(() => render(history === undefined ? {} : { history }, WHERE));
    expect(error.message).toBe(
      `rendering for ${WHERE}: variable "history" must be a list of {role, content} messages, but ${problem}`,
    );
    expect(error.location).toBe(`${path.join('prompts', 'chat.yaml')}:3:13`);
    expect(error.hint).toContain('roles: system, user, assistant');
  });

  it('includes other files relative to the project directory', async () => {
    await prompt('partials/rules.njk', 'Rules for {{ subject }}.');
    const render = compilePrompt(
      await prompt('prompts/main.njk', '{% include "partials/rules.njk" %}\nQ: {{ q }}'),
      dir,
    );
    expect(render({ subject: 'chess', q: 'best opening?' }, WHERE)).toEqual([
      { role: 'user', content: 'Rules for chess.\nQ: best opening?' },
    ]);
  });

  it('reports an include of a missing file, naming it and the prompt', async () => {
    const render = compilePrompt(await prompt('main.njk', '{% include "partials/nope.njk" %}'), dir);
    const error = thrown(() => render({}, WHERE));
    expect(error.message).toContain('template not found: partials/nope.njk');
    expect(error.location).toMatch(/^main\.njk/);
  });

  it('stops a render whose custom filter loops, at the time limit for user code', async () => {
    const spin = (value: unknown) => {
      while (value !== null) {
        // a filter that never returns
      }
      return value;
    };
    const limit = { ms: 100, setting: 'defaults.code_timeout in assay.yaml' };
    const render = compilePrompt(await prompt('q.njk', 'Q: {{ q | spin }}'), dir, { spin }, limit);
    const error = thrown(() => render({ q: 'x' }, WHERE));
    expect(error.message).toBe(
      `rendering for ${WHERE}: a render with template filters did not finish within the 100ms time limit for user code: fix it if it loops, or raise defaults.code_timeout in assay.yaml if it needs longer`,
    );
    expect(error.location).toBe('q.njk');
    expect(error.hint).toContain('template filter');
    // Prompts keep rendering afterwards, the sandbox with them.
    const next = compilePrompt(await prompt('r.njk', '{{ q | upper }}'), dir, { spin }, limit);
    expect(next({ q: 'ok' }, WHERE)).toEqual([{ role: 'user', content: 'OK' }]);
    const breakout = compilePrompt(await prompt('e.njk', '{{ q.constructor }}'), dir, { spin }, limit);
    expect(thrown(() => breakout({ q: 'x' }, WHERE)).message).toMatch(/"constructor" is not allowed/);
    const plain = new nunjucks.Environment(null, { autoescape: false });
    expect(plain.renderString('{{ "".constructor.constructor("return 7")() }}', {})).toBe('7');
  });
});
