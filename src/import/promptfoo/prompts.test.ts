import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../config/load.js';
import { compilePrompt } from '../../prompts/render.js';
import { writePlan } from '../output.js';
import { cleanupDirectories, rejection, tempDirectory } from '../test-helpers.js';
import { planPromptfoo } from './config.js';

afterEach(cleanupDirectories);

/** A promptfoo project in a temp dir: `prompts:` as given, one echo provider and one test. */
async function promptfooProject(prompts: string, files: Record<string, string> = {}, providers = '  - echo') {
  const dir = await tempDirectory();
  const config = `prompts:\n${prompts}\nproviders:\n${providers}\ntests:\n  - vars: { topic: tides, question: Why? }\n`;
  for (const [name, content] of Object.entries({ 'promptfooconfig.yaml': config, ...files })) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return { dir, config: path.join(dir, 'promptfooconfig.yaml') };
}

async function importAndLoad(config: string) {
  const plan = await planPromptfoo(config, { env: {} });
  const out = path.join(path.dirname(config), 'assay');
  await writePlan(plan, out, false);
  return { plan, project: await loadProject({ cwd: out, env: {} }) };
}

describe('promptfoo prompts', () => {
  it('imports inline text, inline chat JSON and {raw, label} prompts', async () => {
    const { config } = await promptfooProject(
      [
        "  - 'Explain {{topic}} to a child.'",
        '  - \'[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{{question}}"}]\'',
        '  - raw: "Summarise {{topic}} in one line."',
        '    label: One liner',
      ].join('\n'),
    );
    const { plan, project } = await importAndLoad(config);
    expect(plan.files.map((file) => file.path).filter((file) => file.startsWith('prompts/'))).toEqual([
      'prompts/prompt-1.njk',
      'prompts/prompt-2.yaml',
      'prompts/one-liner.njk',
    ]);
    const vars = { topic: 'tides', question: 'Why?' };
    expect(project.prompts.map((prompt) => compilePrompt(prompt, project.baseDir)(vars, 't'))).toEqual([
      [{ role: 'user', content: 'Explain tides to a child.' }],
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Why?' },
      ],
      [{ role: 'user', content: 'Summarise tides in one line.' }],
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('splits text files on --- lines, expands globs and reads bare paths and JSONL chat files', async () => {
    const { config } = await promptfooProject(
      ['  - file://prompts/*.txt', '  - prompts/legacy.md', '  - file://prompts/variants.jsonl'].join('\n'),
      {
        'prompts/b-formal.txt': 'Dear reader, {{topic}}.\n---\nTo whom it may concern: {{topic}}.\n',
        'prompts/a-casual.txt': 'Hey, {{topic}}!\n',
        'prompts/legacy.md': '# {{topic}}\n',
        'prompts/variants.jsonl':
          '[{"role": "user", "content": "{{question}}"}]\n[{"role": "system", "content": "Terse."}, {"role": "user", "content": "{{question}}"}]\n',
      },
    );
    const { project } = await importAndLoad(config);
    expect(project.prompts.map((prompt) => [prompt.name, prompt.kind, prompt.source])).toEqual([
      ['a-casual', 'text', 'Hey, {{topic}}!\n'],
      ['b-formal-1', 'text', 'Dear reader, {{topic}}.'],
      ['b-formal-2', 'text', 'To whom it may concern: {{topic}}.'],
      ['legacy', 'text', '# {{topic}}\n'],
      ['variants-1', 'chat', expect.stringContaining('- role: user')],
      ['variants-2', 'chat', expect.stringContaining('content: Terse.')],
    ]);
  });

  it('skips prompt functions, _conversation, templated JSON and image content, keeping the rest', async () => {
    const { config } = await promptfooProject(
      [
        '  - file://prompts/build.py:make_prompt',
        '  - file://prompts/build.js',
        "  - '{% for turn in _conversation %}{{turn.output}}{% endfor %}{{question}}'",
        '  - file://prompts/templated.json',
        '  - file://prompts/vision.yaml',
        '  - file://prompts/keep.txt',
      ].join('\n'),
      {
        'prompts/templated.json':
          '[{% for q in questions %}{"role": "user", "content": "{{q}}"}{% endfor %}]',
        'prompts/vision.yaml':
          '- role: user\n  content:\n    - { type: image_url, image_url: { url: "{{image}}" } }\n',
        'prompts/keep.txt': 'Tell me about {{ topic }}. Key: {{ env.SHOP_NAME }}',
      },
    );
    const plan = await planPromptfoo(config);
    expect(plan.skipped.map((skip) => [skip.item, skip.reason])).toEqual([
      [
        'prompt prompts/build.py:make_prompt',
        'prompt functions (.js, .py) are not supported; save the prompt text instead',
      ],
      [
        'prompt prompts/build.js',
        'prompt functions (.js, .py) are not supported; save the prompt text instead',
      ],
      ['prompt 3', 'uses {{ _conversation }} (multi-turn history), which Assay does not provide'],
      [
        'prompt prompts/templated.json',
        'the file is a template producing JSON, not a plain list of messages; rewrite it as a chat prompt',
      ],
      [
        'prompt prompts/vision.yaml',
        'message 1 has non-text content (images, audio, tool calls), which Assay chat prompts do not hold',
      ],
    ]);
    expect(plan.files.map((file) => file.path)).toEqual([
      'assay.yaml',
      'prompts/keep.njk',
      'tasks/promptfooconfig.yaml',
    ]);
    expect(plan.notes).toEqual([
      'prompt "keep" reads {{ env.* }}: Assay prompts see only task variables, so it fails to render until you change it',
    ]);
  });

  it('imports YAML chat files in the other shapes promptfoo accepts', async () => {
    const { config } = await promptfooProject(
      '  - file://prompts/gemini.yaml\n  - file://prompts/parts.yaml',
      {
        'prompts/gemini.yaml':
          'system_instruction:\n  parts: [{ text: Answer in one line. }]\ncontents:\n  - role: user\n    parts: [{ text: "Why {{ question }}" }]\n',
        'prompts/parts.yaml':
          '- role: developer\n  content: Be brief.\n- role: user\n  content:\n    - { type: text, text: "About {{ topic }}: " }\n    - { type: text, text: "{{ question }}" }\n',
      },
    );
    const { plan, project } = await importAndLoad(config);
    expect(plan.skipped).toEqual([]);
    const vars = { topic: 'tides', question: 'Why?' };
    expect(project.prompts.map((prompt) => compilePrompt(prompt, project.baseDir)(vars, 't'))).toEqual([
      [
        { role: 'system', content: 'Answer in one line.' },
        { role: 'user', content: 'Why Why?' },
      ],
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'About tides: Why?' },
      ],
    ]);
  });

  it('maps a provider prompts: list to the imported prompt names, listing unknown labels', async () => {
    const { config } = await promptfooProject(
      ['  - id: file://prompts/short.txt', '    label: short', '  - file://prompts/long.txt'].join('\n'),
      { 'prompts/short.txt': 'Short: {{topic}}', 'prompts/long.txt': 'Long: {{topic}}' },
      [
        '  - id: echo',
        '    prompts: [short, missing]',
        '  - id: openai:gpt-4o-mini',
        '    prompts: [file://prompts/long.txt]',
      ].join('\n'),
    );
    const { plan, project } = await importAndLoad(config);
    expect(project.config.targets).toEqual([
      { id: 'echo', prompts: ['short'], config: {} },
      { id: 'openai:gpt-4o-mini', prompts: ['long'], config: {} },
    ]);
    expect(project.targets.map((target) => target.name)).toEqual(['echo/short', 'openai:gpt-4o-mini/long']);
    expect(plan.skipped.map((skip) => [skip.item, skip.reason])).toEqual([
      ['provider "echo" prompts: "missing"', 'no imported prompt has this label'],
    ]);
  });

  it('names a missing prompt file and where it is referenced', async () => {
    const { config } = await promptfooProject('  - file://prompts/nowhere.txt');
    const error = await rejection(planPromptfoo(config));
    expect(error.message).toMatch(
      /^cannot read file: ENOENT \(.*prompts[/\\]nowhere\.txt, referenced here\)$/,
    );
    expect(error.location).toMatch(/promptfooconfig\.yaml:2:5$/);
  });

  it('fails when no prompt can be imported, listing why', async () => {
    const { config } = await promptfooProject('  - file://prompts/build.py');
    const error = await rejection(planPromptfoo(config));
    expect(error.message).toBe(
      'none of the prompts could be imported: prompt prompts/build.py: prompt functions (.js, .py) are not supported; save the prompt text instead',
    );
    expect(error.location).toMatch(/promptfooconfig\.yaml:1:1$/);
  });
});
