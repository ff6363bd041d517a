import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { loadPromptFile } from './load.js';
import { compilePrompt } from './render.js';
import { renderSandboxed, SANDBOX_HINT, SandboxedEnvironment } from './sandbox.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-sandbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const full = path.join(dir, name);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, content);
  return full;
}

/** Compiles `content` as the prompt file `name` and renders it with `vars`. */
async function render(
  content: string,
  vars: Record<string, unknown> = {},
  name = 'prompt.njk',
  filters: Record<string, (value: unknown, ...args: unknown[]) => unknown> = {},
) {
  const loaded = await loadPromptFile(await write(name, content), dir);
  return compilePrompt(loaded, dir, filters)(vars, 'task "t1"');
}

async function refusal(content: string, vars: Record<string, unknown> = {}): Promise<UserError> {
  try {
    await render(content, vars);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error(`rendered without an error: ${content}`);
}

const PAYLOAD = '"return process.mainModule ? 1 : 2"';

/** The known ways out of a nunjucks template into JavaScript, each of which must be refused. */
const ESCAPES: Record<string, string> = {
  'a global function': `{{ range.constructor(${PAYLOAD})() }}`,
  'the constructor as a subscript': `{{ range["constructor"](${PAYLOAD})() }}`,
  cycler: `{{ cycler.constructor(${PAYLOAD})() }}`,
  'cycler() object': `{{ cycler(1, 2).next.constructor(${PAYLOAD})() }}`,
  joiner: `{{ joiner.constructor(${PAYLOAD})() }}`,
  'joiner() function': `{{ joiner()["constructor"](${PAYLOAD})() }}`,
  'a lipsum-style global that does not exist': '{{ lipsum.constructor }}',
  this: '{{ this.constructor }}',
  'a dict literal': '{{ {}.constructor.getOwnPropertyNames({}) }}',
  'an array literal': `{{ [].constructor.constructor(${PAYLOAD})() }}`,
  'a string literal': `{{ "".constructor.constructor(${PAYLOAD})() }}`,
  'a number literal': `{{ (1).constructor.constructor(${PAYLOAD})() }}`,
  'a task variable (dict)': '{{ person.constructor.keys(person) }}',
  'a task variable (array)': '{{ items.constructor.from(items) }}',
  'a method of a variable': `{{ name.toUpperCase.constructor(${PAYLOAD})() }}`,
  __proto__: '{{ person.__proto__ }}',
  '__proto__ as a subscript': '{{ person["__proto__"] }}',
  prototype: '{{ range.prototype }}',
  __lookupGetter__: '{{ person.__lookupGetter__("__proto__") }}',
  'a key built with set': `{% set key = "constr" + "uctor" %}{{ range[key](${PAYLOAD})() }}`,
  'a function kept with set': `{% set make = range.constructor %}{{ make(${PAYLOAD})() }}`,
  'a key made by a macro': `{% macro key() %}constructor{% endmacro %}{{ range[key()](${PAYLOAD})() }}`,
  'a key read from a loop': `{% for key in ["constructor"] %}{{ range[key](${PAYLOAD})() }}{% endfor %}`,
  'a key from task data': `{{ range[field](${PAYLOAD})() }}`,
  'the loop object': `{% for x in [1] %}{{ loop.constructor }}{% endfor %}`,
  'a macro': `{% macro m() %}{% endmacro %}{{ m.constructor(${PAYLOAD})() }}`,
  caller: `{% macro m() %}{{ caller.constructor(${PAYLOAD})() }}{% endmacro %}{% call m() %}x{% endcall %}`,
  'a bare constructor name': '{{ constructor.keys(person) }}',
  'an inherited name (valueOf returns nunjucks context)': '{{ valueOf().env }}',
  'an inherited name (toString)': '{{ toString() }}',
  'a filter named after an inherited method': '{{ name | valueOf }}',
  'a filter named constructor': `{{ ${PAYLOAD} | constructor }}`,
  'a test named after an inherited method': '{% if name is valueOf %}x{% endif %}',
  'a filter result': `{{ (range | default(1)).constructor(${PAYLOAD})() }}`,
};

describe('template sandbox', () => {
  for (const [label, template] of Object.entries(ESCAPES)) {
    it(`refuses ${label}, naming the template`, async () => {
      const error = await refusal(template, {
        person: { name: 'Ada' },
        items: [1, 2],
        name: 'Ada',
        field: 'constructor',
      });
      expect(error.message).toMatch(/is not allowed in a template \(it reaches JavaScript's internals\)/);
      expect(error.message).toContain('rendering for task "t1"');
      expect(error.location).toMatch(/^prompt\.njk(:\d+:\d+)?$/);
      expect(error.hint).toBe(SANDBOX_HINT);
    });
  }

  it('refuses an escape inside an included partial', async () => {
    await write('partials/evil.njk', `{{ range.constructor(${PAYLOAD})() }}`);
    const error = await refusal('Hello {% include "partials/evil.njk" %}');
    expect(error.message).toMatch(/"constructor" is not allowed in a template/);
    expect(error.message).toContain('partials/evil.njk');
  });

  it('refuses an escape in a chat message', async () => {
    const error = await render(
      '- role: system\n  content: Be terse.\n- role: user\n  content: "{{ q.constructor }}"\n',
      { q: 'x' },
      'chat.yaml',
    ).catch((caught: unknown) => caught as UserError);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).location).toMatch(/^chat\.yaml(:4:\d+)?$/);
    expect((error as UserError).hint).toBe(SANDBOX_HINT);
  });

  it('keeps an own task variable that shares a name with an inherited one', async () => {
    expect(await render('{{ toString }} {{ valueOf }}', { toString: 'a', valueOf: 'b' })).toEqual([
      { role: 'user', content: 'a b' },
    ]);
  });

  it('leaves other nunjucks environments of the process alone', () => {
    const plain = new nunjucks.Environment(null, { autoescape: false });
    const breakout = '{{ "".constructor.constructor("return 6 * 7")() }}';
    new SandboxedEnvironment(null, { autoescape: false });
    expect(plain.renderString(breakout, {})).toBe('42');
  });

  it('refuses through renderSandboxed with any environment it made', () => {
    const env = new SandboxedEnvironment(null, { autoescape: false, throwOnUndefined: true });
    const template = new nunjucks.Template('{{ x.constructor.name }}', env, 'body', true);
    expect(() => renderSandboxed(template, { x: 1 })).toThrow(/"constructor" is not allowed/);
  });
});

describe('template features inside the sandbox', () => {
  const vars = {
    name: 'ada lovelace',
    items: ['tea', 'cake', 'jam'],
    person: { first: 'Ada', last: 'Lovelace' },
    field: 'last',
    count: 3,
    history: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ],
  };
  const text = async (template: string) => (await render(template, vars))[0]!.content;

  it('renders variables, fields, subscripts and methods', async () => {
    expect(await text('{{ person.first }} {{ person["last"] }} {{ person[field] }} {{ items[1] }}')).toBe(
      'Ada Lovelace Lovelace cake',
    );
    expect(await text('{{ name.toUpperCase() }} {{ items.length }} {{ name.split(" ")[1] }}')).toBe(
      'ADA LOVELACE 3 lovelace',
    );
    expect(await text('{{ items.slice(1).join("+") }} {{ items.includes("jam") }}')).toBe('cake+jam true');
  });

  it('runs built-in filters and tests', async () => {
    expect(await text('{{ name | title }} {{ items | join(", ") }} {{ missing | default("none") }}')).toBe(
      'Ada Lovelace tea, cake, jam none',
    );
    expect(await text('{{ person | dump }} {{ items | length }} {{ count is odd }}')).toBe(
      '{"first":"Ada","last":"Lovelace"} 3 true',
    );
    expect(await text('{{ items | sort | first }} {{ [person] | selectattr("first") | length }}')).toBe(
      'cake 1',
    );
  });

  it('runs loops with the loop variable, conditions, set and the range, cycler and joiner globals', async () => {
    expect(
      await text(
        '{% set sep = joiner("; ") %}{% set row = cycler("odd", "even") %}' +
          '{% for item in items %}{{ sep() }}{{ loop.index }}:{{ item }}:{{ row.next() }}{% endfor %}' +
          '{% for n in range(2) %}[{{ n }}]{% endfor %}{% if count > 2 %} many{% elif count %} few{% endif %}',
      ),
    ).toBe('1:tea:odd; 2:cake:even; 3:jam:odd[0][1] many');
    expect(await text('{% for key, value in person %}{{ key }}={{ value }} {% endfor %}')).toBe(
      'first=Ada last=Lovelace ',
    );
  });

  it('runs macros, call blocks, includes and imports', async () => {
    await write('partials/sign.njk', 'Signed, {{ person.first }}');
    await write('partials/macros.njk', '{% macro bullet(text) %}- {{ text }}{% endmacro %}');
    expect(
      await text(
        '{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}{{ name }}{% endcall %} ' +
          '{% import "partials/macros.njk" as m %}{{ m.bullet("one") }} ' +
          '{% from "partials/macros.njk" import bullet %}{{ bullet("two") }} ' +
          '{% include "partials/sign.njk" %}{% raw %} {{ kept }}{% endraw %}',
      ),
    ).toBe('<ada lovelace> - one - two Signed, Ada {{ kept }}');
  });

  it('runs custom filters from the filters module', async () => {
    const shout = (value: unknown, mark: unknown = '!') => `${String(value).toUpperCase()}${String(mark)}`;
    expect(await render('{{ name | shout }} {{ name | shout("?") }}', vars, 'p.njk', { shout })).toEqual([
      { role: 'user', content: 'ADA LOVELACE! ADA LOVELACE?' },
    ]);
  });

  it('renders chat templates, spliced message lists included', async () => {
    expect(
      await render(
        '- role: system\n  content: "Help {{ person.first }}."\n- messages: history\n- role: user\n  content: "{{ items | join(\',\') }}"\n',
        vars,
        'chat.yaml',
      ),
    ).toEqual([
      { role: 'system', content: 'Help Ada.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'tea,cake,jam' },
    ]);
  });
});
