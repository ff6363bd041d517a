/** What every prompt-based model-graded scorer does alike: grader, prompt versioning, judge errors. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import type { AssertionSpec } from '../../types.js';
import { contentHash } from '../../util/hash.js';
import { prepareTask } from '../aggregate.js';
import { ScorerRegistry, standalonePrepareContext } from '../registry.js';
import type { Scorer } from '../scorer.js';
import { answerRelevanceScorer } from './answer-relevance.js';
import { closedQaScorer } from './closed-qa.js';
import { factualityScorer } from './factuality.js';
import { gEvalScorer } from './g-eval.js';
import { llmRubricScorer } from './llm-rubric.js';
import { JudgeParseError } from './parse.js';
import { BUILTIN_JUDGES_DIR } from './prompt.js';
import { fakeJudge, judgeContext, judgeWith, makeInput, makeTask, rejection, WHERE } from './test-helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'assay-judge-scorers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  scorer: Scorer;
  spec: Omit<AssertionSpec, 'type'>;
  /** An answer of the judge that passes. */
  passing: string;
}

const CASES: Case[] = [
  {
    scorer: llmRubricScorer,
    spec: { value: 'Mentions "Paris"' },
    passing: '{"reason":"ok","score":1,"pass":true}',
  },
  { scorer: factualityScorer, spec: { value: 'Paris' }, passing: '{"reason":"same","choice":"C"}' },
  { scorer: closedQaScorer, spec: { value: 'Paris' }, passing: '{"reason":"ok","score":1,"pass":true}' },
  {
    scorer: gEvalScorer,
    spec: { value: 'Names the capital' },
    passing: '{"steps":[],"reason":"ok","score":5}',
  },
  { scorer: answerRelevanceScorer, spec: {}, passing: '{"reason":"on topic","score":1,"pass":true}' },
];

describe.each(CASES)('$scorer.name', ({ scorer, spec, passing }) => {
  it('asks the resolved grader with the rendered built-in prompt, and reports its cost', async () => {
    const judge = fakeJudge(passing, { costUsd: 0.0042 });
    const verdict = await judgeWith(scorer, spec, 'The capital is Paris.', judge);
    expect(verdict).toMatchObject({ value: 1, pass: true, costUsd: 0.0042 });
    expect(verdict.reason).toMatch(/^judge: /);
    expect(judge.requests).toHaveLength(1);
    const [request] = judge.requests;
    expect(request?.grader).toBe('judge-model');
    expect(request?.messages).toHaveLength(1);
    expect(request?.messages[0]?.content).toContain('<output>\nThe capital is Paris.\n</output>');
    expect(request?.messages[0]?.content).toContain('<question>\nWhat is 2 + 3?\n</question>');
  });

  it("uses the assertion's own grader", async () => {
    const judge = fakeJudge(passing);
    const context = judgeContext();
    await judgeWith(scorer, { ...spec, grader: 'strict' }, 'Paris', judge, makeTask(), context);
    expect(context.graders).toEqual(['strict']);
    expect(judge.requests[0]?.grader).toBe('strict');
  });

  it('records its built-in judge prompt with the content version', () => {
    const context = judgeContext();
    scorer.prepare({ type: scorer.name, ...spec }, WHERE, makeTask(), context);
    const source = readFileSync(path.join(BUILTIN_JUDGES_DIR, `${scorer.name}.njk`), 'utf8');
    expect(context.recorded).toEqual([{ name: `builtin:${scorer.name}`, version: contentHash(source) }]);
  });

  it('uses a prompt file given with prompt:, relative to the base directory', async () => {
    const file = `${scorer.name}-custom.njk`;
    writeFileSync(path.join(dir, file), 'CUSTOM {{ output }} / {{ input }}');
    const context = judgeContext(dir);
    const judge = fakeJudge(passing);
    await judgeWith(scorer, { ...spec, prompt: file }, 'Paris', judge, makeTask(), context);
    expect(judge.requests[0]?.messages).toEqual([{ role: 'user', content: 'CUSTOM Paris / What is 2 + 3?' }]);
    expect(context.recorded).toEqual([
      { name: file, version: contentHash('CUSTOM {{ output }} / {{ input }}') },
    ]);
  });

  it('rejects a missing prompt file at prepare, naming it', () => {
    const action = () =>
      scorer.prepare(
        { type: scorer.name, ...spec, prompt: 'missing.njk' },
        WHERE,
        makeTask(),
        judgeContext(dir),
      );
    expect(action).toThrow(UserError);
    expect(action).toThrow('judge prompt file "missing.njk" does not exist');
  });

  it('makes an unparseable judge answer an error that keeps the cost', async () => {
    const judge = fakeJudge('I am not sure what you want from me.', { costUsd: 0.003 });
    const error = await rejection(judgeWith(scorer, spec, 'Paris', judge));
    expect(error).toBeInstanceOf(JudgeParseError);
    expect((error as JudgeParseError).costUsd).toBe(0.003);
    expect(error.message).toContain('"I am not sure what you want from me."');
  });

  it('omits the cost when the judge call has no known price', async () => {
    const verdict = await judgeWith(scorer, spec, 'Paris', fakeJudge(passing, { costUsd: null }));
    expect(verdict).not.toHaveProperty('costUsd');
  });

  it('fails without a judge (outside `assay run`)', async () => {
    const error = await rejection(judgeWith(scorer, spec, 'Paris', undefined));
    expect(error.message).toBe('model-graded scorer needs a judge: run it with `assay run`');
  });

  it('needs a grader at prepare', () => {
    const action = () =>
      scorer.prepare({ type: scorer.name, ...spec }, WHERE, makeTask(), standalonePrepareContext());
    expect(action).toThrow(/no judge model is available here/);
  });

  it('takes no options (judge settings belong to the grader target)', () => {
    const action = () =>
      scorer.prepare(
        { type: scorer.name, ...spec, options: { temperature: 0 } },
        WHERE,
        makeTask(),
        judgeContext(),
      );
    expect(action).toThrow(`${scorer.name} has no option "temperature"`);
  });

  it('rejects a threshold outside 0..1', () => {
    const action = () =>
      scorer.prepare({ type: scorer.name, ...spec, threshold: 3 }, WHERE, makeTask(), judgeContext());
    expect(action).toThrow(`${scorer.name} "threshold" must be a number from 0 to 1, got 3 (number)`);
  });
});

describe('model-graded scores in a task', () => {
  const registry = new ScorerRegistry([llmRubricScorer]);
  const task = makeTask({
    assert: [
      { type: 'llm-rubric', value: 'Mentions "Paris"' },
      { type: 'not-llm-rubric', value: 'Is rude' },
    ],
  });

  it('records an unparseable answer as a scorer error carrying the judge cost', async () => {
    const score = prepareTask(task, WHERE, registry, judgeContext());
    const judge = fakeJudge((messages) =>
      messages[0]?.content.includes('Is rude') ? 'Hmm.' : '{"pass": true}',
    );
    const result = await score(makeInput('Paris', { task, judge }));
    expect(result.scores[0]).toMatchObject({ name: 'llm-rubric', value: 1, pass: true, costUsd: 0.002 });
    expect(result.scores[1]).toMatchObject({ name: 'not-llm-rubric', value: 0, pass: false, costUsd: 0.002 });
    expect(result.scores[1]?.reason).toBe(
      'scorer error: judge answer not understood (no score or pass/fail verdict): "Hmm."',
    );
    expect(result.pass).toBe(false);
  });

  it('negates a judge verdict and keeps its cost', async () => {
    const score = prepareTask(task, WHERE, registry, judgeContext());
    const judge = fakeJudge((messages) =>
      messages[0]?.content.includes('Is rude') ? '{"reason":"polite","pass":false}' : '{"pass": true}',
    );
    const result = await score(makeInput('Paris', { task, judge }));
    expect(result.scores[1]).toMatchObject({
      value: 1,
      pass: true,
      reason: 'not: judge: polite',
      costUsd: 0.002,
    });
    expect(result.pass).toBe(true);
  });
});
