import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { contentHash } from '../../util/hash.js';
import { BUILTIN_JUDGES_DIR, loadJudgePrompt, promptText } from './prompt.js';
import { judgeContext, WHERE } from './test-helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'assay-judge-prompt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE = { output: '', input: '', rubric: 'r', expected: '', vars: { city: 'Paris' } };
const BUILTINS = ['llm-rubric', 'factuality', 'closed-qa', 'g-eval', 'answer-relevance'];

function write(name: string, content: string): string {
  writeFileSync(path.join(dir, name), content);
  return name;
}

function userError(action: () => unknown): UserError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('loadJudgePrompt', () => {
  it.each(BUILTINS)('loads the built-in %s prompt and records its content version', (name) => {
    const context = judgeContext(dir);
    const sample = { ...SAMPLE, criteria: 'c' };
    const prompt = loadJudgePrompt(name, { type: name }, WHERE, context, sample);
    const source = readFileSync(path.join(BUILTIN_JUDGES_DIR, `${name}.njk`), 'utf8');
    expect(prompt.name).toBe(`builtin:${name}`);
    expect(prompt.version).toBe(contentHash(source));
    expect(context.recorded).toEqual([{ name: `builtin:${name}`, version: contentHash(source) }]);
    const [message, ...rest] = prompt.render(
      { ...sample, output: 'THE OUTPUT', input: 'THE QUESTION' },
      WHERE,
    );
    expect(rest).toEqual([]);
    expect(message?.role).toBe('user');
    expect(message?.content).toContain('<output>\nTHE OUTPUT\n</output>');
    expect(message?.content).toContain('<question>\nTHE QUESTION\n</question>');
    expect(message?.content).toMatch(/Reply with one JSON object and nothing else/);
  });

  it('renders a user text prompt as one user message with the task vars', () => {
    const file = write('strict.njk', 'City {{ vars.city }}. Rubric: {{ rubric }}. Output: {{ output }}');
    const context = judgeContext(dir);
    const prompt = loadJudgePrompt(
      'llm-rubric',
      { type: 'llm-rubric', prompt: file },
      WHERE,
      context,
      SAMPLE,
    );
    expect(prompt.name).toBe('strict.njk');
    expect(context.recorded).toEqual([
      { name: 'strict.njk', version: contentHash(readFileSync(path.join(dir, file), 'utf8')) },
    ]);
    expect(prompt.render({ ...SAMPLE, output: 'hi' }, WHERE)).toEqual([
      { role: 'user', content: 'City Paris. Rubric: r. Output: hi' },
    ]);
  });

  it('renders a user chat prompt (.yaml) as its messages', () => {
    const file = write(
      'chat.yaml',
      '- role: system\n  content: You grade strictly.\n- role: user\n  content: "<output>{{ output }}</output>"\n',
    );
    const prompt = loadJudgePrompt(
      'llm-rubric',
      { type: 'llm-rubric', prompt: file },
      WHERE,
      judgeContext(dir),
      SAMPLE,
    );
    expect(prompt.render({ ...SAMPLE, output: 'x' }, WHERE)).toEqual([
      { role: 'system', content: 'You grade strictly.' },
      { role: 'user', content: '<output>x</output>' },
    ]);
  });

  it('changes version when the file changes', () => {
    const first = loadJudgePrompt(
      'llm-rubric',
      { type: 'llm-rubric', prompt: write('v.njk', 'one {{ output }}') },
      WHERE,
      judgeContext(dir),
      SAMPLE,
    );
    const second = loadJudgePrompt(
      'llm-rubric',
      { type: 'llm-rubric', prompt: write('v.njk', 'two {{ output }}') },
      WHERE,
      judgeContext(dir),
      SAMPLE,
    );
    expect(first.version).not.toBe(second.version);
    expect(second.render({ ...SAMPLE, output: 'x' }, WHERE)[0]?.content).toBe('two x');
  });

  it('rejects a missing file, naming it', () => {
    const error = userError(() =>
      loadJudgePrompt(
        'llm-rubric',
        { type: 'llm-rubric', prompt: 'nope/judge.njk' },
        WHERE,
        judgeContext(dir),
        SAMPLE,
      ),
    );
    expect(error.message).toBe('judge prompt file "nope/judge.njk" does not exist');
    expect(error.location).toBe(WHERE);
    expect(error.hint).toContain(dir);
  });

  it('rejects a template syntax error, pointing into the file', () => {
    const file = write('broken.njk', 'line one\n{% if output %}unclosed');
    const error = userError(() =>
      loadJudgePrompt('llm-rubric', { type: 'llm-rubric', prompt: file }, WHERE, judgeContext(dir), SAMPLE),
    );
    expect(error.location).toMatch(/^broken\.njk/);
  });

  it('rejects at prepare a variable the judge prompt cannot have', () => {
    const file = write('typo.njk', '{{ rubrik }} {{ output }}');
    const context = judgeContext(dir);
    const error = userError(() =>
      loadJudgePrompt('llm-rubric', { type: 'llm-rubric', prompt: file }, WHERE, context, SAMPLE),
    );
    expect(error.location).toMatch(/^typo\.njk/);
    expect(error.message).toContain(WHERE);
    expect(context.recorded).toEqual([]);
  });

  it('rejects a prompt that is not a path', () => {
    const error = userError(() =>
      loadJudgePrompt(
        'llm-rubric',
        { type: 'llm-rubric', prompt: 42 as unknown as string },
        WHERE,
        judgeContext(dir),
        SAMPLE,
      ),
    );
    expect(error.message).toBe('"prompt" must be the path of a judge prompt file, got 42 (number)');
  });
});

describe('promptText', () => {
  it('joins the contents of the task prompt messages', () => {
    expect(
      promptText([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ]),
    ).toBe('Be brief.\n\nCapital of France?');
  });
});
