import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { loadPromptFile, loadPrompts } from './load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-prompts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const full = path.join(dir, name);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, content);
  return full;
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('loadPromptFile', () => {
  it.each(['answer.njk', 'answer.txt', 'answer.md', 'answer.prompt'])(
    'loads %s as one user message',
    async (name) => {
      const prompt = await loadPromptFile(await file(`prompts/${name}`, 'Answer: {{ q }}\n'), dir);
      expect(prompt).toMatchObject({
        name: 'answer',
        path: path.join('prompts', name),
        kind: 'text',
        source: 'Answer: {{ q }}\n',
        messages: [{ role: 'user', content: 'Answer: {{ q }}\n' }],
      });
      expect(prompt.version).toMatch(/^[0-9a-f]{12}$/);
    },
  );

  it('loads a YAML list of chat messages', async () => {
    const prompt = await loadPromptFile(
      await file(
        'tutor.yaml',
        '- role: system\n  content: You are a tutor.\n- role: user\n  content: |\n    Explain {{ topic }}.\n',
      ),
      dir,
    );
    expect(prompt.kind).toBe('chat');
    expect(prompt.name).toBe('tutor');
    expect(prompt.messages).toEqual([
      { role: 'system', content: 'You are a tutor.', start: { line: 2, column: 12, block: false } },
      { role: 'user', content: 'Explain {{ topic }}.\n', start: { line: 5, column: 5, block: true } },
    ]);
  });

  it('loads a JSON list of chat messages', async () => {
    const messages = [
      { role: 'user', content: 'Hi {{ name }}' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: '{{ q }}' },
    ];
    const prompt = await loadPromptFile(await file('few-shot.json', JSON.stringify(messages, null, 1)), dir);
    expect(prompt).toMatchObject({ name: 'few-shot', kind: 'chat', messages });
    // JSON strings are quoted: the text starts one column after the quote.
    expect(prompt.messages[2]?.start).toEqual({ line: 12, column: 15, block: false });
  });

  it('versions a prompt by its content', async () => {
    const a = await loadPromptFile(await file('a.njk', 'one {{ x }}'), dir);
    const again = await loadPromptFile(await file('a.njk', 'one {{ x }}'), dir);
    const changed = await loadPromptFile(await file('a.njk', 'two {{ x }}'), dir);
    expect(again.version).toBe(a.version);
    expect(changed.version).not.toBe(a.version);
  });

  it('loads a "messages: <variable>" entry that splices a message list', async () => {
    const prompt = await loadPromptFile(
      await file(
        'conversation.yaml',
        '- role: system\n  content: Stay in character.\n- messages: history\n- role: user\n  content: "{{ question }}"\n',
      ),
      dir,
    );
    expect(prompt.messages).toEqual([
      { role: 'system', content: 'Stay in character.', start: { line: 2, column: 12, block: false } },
      { splice: 'history', start: { line: 3, column: 13, block: false } },
      { role: 'user', content: '{{ question }}', start: { line: 5, column: 13, block: false } },
    ]);
  });

  it('loads a splice entry from JSON', async () => {
    const prompt = await loadPromptFile(await file('replay.json', '[{"messages": "messages"}]'), dir);
    expect(prompt.messages).toEqual([{ splice: 'messages', start: { line: 1, column: 16, block: false } }]);
  });

  it('rejects a splice entry that is a template instead of a variable name, at its place', async () => {
    const error = await failure(
      loadPromptFile(
        await file('bad.yaml', '- role: system\n  content: hi\n- messages: "{{ history }}"\n'),
        dir,
      ),
    );
    expect(error.message).toContain('[1].messages: expected the name of a task variable');
    expect(error.location).toMatch(/bad\.yaml:3:3$/);
  });

  it('rejects a splice entry with other keys', async () => {
    const error = await failure(
      loadPromptFile(await file('bad.yaml', '- messages: history\n  role: user\n'), dir),
    );
    expect(error.message).toContain('Unrecognized key');
    expect(error.message).toContain('[0].role');
  });

  it('rejects a chat message with an unknown role at its place in the file', async () => {
    const error = await failure(
      loadPromptFile(
        await file('bad.yaml', '- role: user\n  content: hi\n- role: robot\n  content: beep\n'),
        dir,
      ),
    );
    expect(error.message).toMatch(/^invalid chat prompt \(a list of \{role, content\} messages\)/);
    expect(error.message).toContain('[1].role');
    expect(error.location).toMatch(/bad\.yaml:3:3$/);
  });

  it('rejects an empty chat prompt and one that is not a list', async () => {
    expect((await failure(loadPromptFile(await file('empty.yaml', '[]\n'), dir))).hint).toBe(
      'add at least one entry',
    );
    await failure(loadPromptFile(await file('map.yaml', 'role: user\ncontent: hi\n'), dir));
  });

  it('rejects an unsupported file type', async () => {
    const error = await failure(loadPromptFile(await file('prompt.html', '<p>{{ q }}</p>'), dir));
    expect(error.message).toBe('unsupported prompt file type ".html"');
    expect(error.location).toBe('prompt.html');
    expect(error.hint).toContain('.yaml/.json');
  });
});

describe('loadPrompts', () => {
  it('expands globs relative to the project, sorted, without duplicates', async () => {
    await file('prompts/b.njk', 'b');
    await file('prompts/a.njk', 'a');
    await file('prompts/c.yaml', '- {role: user, content: c}\n');
    const prompts = await loadPrompts(
      ['prompts/*.njk', 'prompts/a.njk', 'prompts/*.yaml'],
      dir,
      'assay.yaml:2:3',
    );
    expect(prompts.map((prompt) => prompt.name)).toEqual(['a', 'b', 'c']);
  });

  it('reports a pattern that matches no file', async () => {
    await file('prompts/a.njk', 'a');
    const error = await failure(
      loadPrompts(['prompts/a.njk', 'prompts/missing/*.njk'], dir, 'assay.yaml:2:1'),
    );
    expect(error.message).toBe('no prompt file matches "prompts/missing/*.njk"');
    expect(error.location).toBe('assay.yaml:2:1');
    expect(error.hint).toBe(`create the file or fix the path (relative to ${dir})`);
  });

  it('rejects two prompt files with the same name, naming both', async () => {
    await file('prompts/answer.njk', 'a');
    await file('legacy/answer.txt', 'b');
    const error = await failure(loadPrompts(['prompts/*', 'legacy/*'], dir, 'assay.yaml:2:1'));
    expect(error.message).toBe(
      `two prompt files have the name "answer": ${path.join('prompts', 'answer.njk')} and ${path.join('legacy', 'answer.txt')}`,
    );
    expect(error.location).toBe('assay.yaml:2:1');
    expect(error.hint).toContain('rename one of them');
  });
});
