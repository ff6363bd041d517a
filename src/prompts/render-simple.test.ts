import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { createRng } from '../stats/random.js';
import { renderSimple, simpleTemplate } from './render.js';

/** The environment compilePrompt renders with. */
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: false });

function nunjucksRender(source: string, vars: Record<string, unknown>): { out?: string; error?: true } {
  try {
    return { out: new nunjucks.Template(source, env, 'test.njk', true).render(vars) };
  } catch {
    return { error: true };
  }
}

describe('simpleTemplate', () => {
  it('accepts text with {{ name }} substitutions only', () => {
    expect(simpleTemplate('Q: {{ q }}\nA: {{answer_2}}!')).toEqual({
      texts: ['Q: ', '\nA: ', '!'],
      names: ['q', 'answer_2'],
    });
    expect(simpleTemplate('no variables at all')).toEqual({ texts: ['no variables at all'], names: [] });
  });

  it('leaves every other template shape to nunjucks', () => {
    for (const source of [
      '{{ q | upper }}',
      '{{ a.b }}',
      '{{ a[0] }}',
      '{{- q }}',
      '{{ q -}}',
      '{% if q %}x{% endif %}',
      '{# note #}{{ q }}',
      '{{ true }}',
      '{{ none }}',
      'a stray }} here',
      '{{{ q }}',
      '{{ q }}}',
      '{{\u3000q }}',
      '{{ q\u2028}}',
      '{{\vq}}',
      '{{ q }} and {{',
      '{{ "lit" }}',
    ]) {
      expect(simpleTemplate(source), source).toBeUndefined();
    }
  });
});

describe('renderSimple', () => {
  it('leaves inherited and "__proto__" variables to nunjucks', () => {
    const template = simpleTemplate('{{ q }}')!;
    expect(
      renderSimple(template, Object.create({ q: 'inherited' }) as Record<string, unknown>),
    ).toBeUndefined();
    const proto = simpleTemplate('{{ __proto__ }}')!;
    expect(renderSimple(proto, JSON.parse('{"__proto__": "x"}') as Record<string, unknown>)).toBeUndefined();
    expect(
      nunjucksRender('{{ __proto__ }}', JSON.parse('{"__proto__": "x"}') as Record<string, unknown>).out,
    ).not.toBe('x');
  });

  it('gives what nunjucks gives, or leaves the value to nunjucks (random templates and values)', () => {
    const random = createRng('render-simple');
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const texts = ['', ' ', 'Q: ', '\n', '<b>&</b>', '{ x }', '}', '{', 'ünï', '%', '#', '\r\n'];
    const names = ['q', 'a', 'range', 'constructor', 'toString', 'x_1', '__proto__', 'loop'];
    const values: unknown[] = [
      '',
      'text',
      '<i>',
      0,
      -0,
      1.5,
      1e21,
      Number.NaN,
      true,
      false,
      null,
      undefined,
      {},
      [1, 2],
      ['a'],
    ];
    let fast = 0;
    for (let round = 0; round < 2000; round++) {
      let source = pick(texts);
      const used: string[] = [];
      const count = Math.floor(random() * 4);
      for (let index = 0; index < count; index++) {
        const name = pick(names);
        used.push(name);
        source += `{{${pick(['', ' ', '  ', '\t', '\u00A0', '\v', '\u3000'])}${name}${pick(['', ' ', '\n', '\u2028'])}}}${pick(texts)}`;
      }
      const vars: Record<string, unknown> = {};
      for (const name of used) if (random() < 0.9) vars[name] = pick(values);
      const template = simpleTemplate(source);
      const expected = nunjucksRender(source, vars);
      if (!template) continue;
      const quick = renderSimple(template, vars);
      if (quick === undefined) continue;
      fast++;
      expect(expected.error, source).toBeUndefined();
      expect(quick, `${source} with ${JSON.stringify(vars)}`).toBe(expected.out);
    }
    // The comparison above must have run often enough to mean something.
    expect(fast).toBeGreaterThan(500);
  });
});
