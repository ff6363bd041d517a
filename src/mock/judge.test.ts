import { describe, expect, it } from 'vitest';
import { answer } from './answer.js';
import { judgeAnswer, keyWords, quotedPhrases } from './judge.js';

const rubric = (text: string, output: string) =>
  `Grade it.\n<output>\n${output}\n</output>\n<rubric>\n${text}\n</rubric>`;
const parse = (text: string | undefined) => JSON.parse(text ?? 'null') as Record<string, unknown>;

describe('judgeAnswer', () => {
  it('ignores messages without an output block', () => {
    expect(judgeAnswer('<rubric>x</rubric>')).toBeUndefined();
    expect(judgeAnswer('What is <output>?')).toBeUndefined();
    expect(judgeAnswer('<output>x</output> and nothing to grade by')).toBeUndefined();
  });

  describe('rubric: every double-quoted phrase must occur in the output', () => {
    it('passes when all occur, case-insensitively', () => {
      expect(parse(judgeAnswer(rubric('Mentions "Paris" and “the Seine”', 'paris, on THE SEINE')))).toEqual({
        reason: 'the output contains "Paris", "the Seine"',
        score: 1,
        pass: true,
      });
    });

    it('scores the share found and fails when one is missing', () => {
      expect(parse(judgeAnswer(rubric('Has "a1", "b2" and "c3"', 'a1 b2')))).toEqual({
        reason: 'the output lacks "c3"',
        score: 0.67,
        pass: false,
      });
    });

    it('passes any non-blank output when the rubric quotes nothing', () => {
      expect(parse(judgeAnswer(rubric('Is polite', 'Hello')))).toMatchObject({ score: 1, pass: true });
      expect(parse(judgeAnswer(rubric('Is polite', '  ')))).toMatchObject({ score: 0, pass: false });
    });
  });

  it('criteria: scores 1 + round(4 × share of quoted phrases) with steps', () => {
    const criteria = (text: string, output: string) =>
      `<question>q</question>\n<criteria>${text}</criteria>\n<output>${output}</output>`;
    expect(parse(judgeAnswer(criteria('"alpha" "beta"', 'alpha and beta')))).toMatchObject({ score: 5 });
    expect(parse(judgeAnswer(criteria('"alpha" "beta"', 'alpha')))).toMatchObject({ score: 3 });
    const none = parse(judgeAnswer(criteria('"alpha" "beta"', 'gamma')));
    expect(none).toMatchObject({ score: 1 });
    expect(none.steps).toEqual(expect.arrayContaining([expect.any(String)]));
  });

  describe('expert answer: factuality choice from key words', () => {
    const factual = (expert: string, output: string) =>
      parse(
        judgeAnswer(
          `<question>q</question><expert_answer>${expert}</expert_answer><output>${output}</output>`,
        ),
      );

    it.each([
      ['Paris is the capital of France', 'The capital of France is Paris', 'C'],
      ['5', 'The answer is 5', 'B'],
      ['Paris is the capital of France', 'Paris', 'A'],
      ['Paris', 'Lyon', 'D'],
      ['Paris is the capital of France', 'Lyon is the capital of France', 'D'],
    ])('expert %j, output %j → %s', (expert, output, choice) => {
      expect(factual(expert, output)).toMatchObject({ choice, reason: expect.stringContaining('key words') });
    });
  });

  it('reference: passes when every key word of the reference is in the output', () => {
    const closed = (reference: string, output: string) =>
      parse(
        judgeAnswer(`<question>q</question><reference>${reference}</reference><output>${output}</output>`),
      );
    expect(closed('42', 'It is 42.')).toEqual({
      reason: 'the output has every key word of the reference',
      score: 1,
      pass: true,
    });
    expect(closed('Paris, France', 'Paris')).toEqual({
      reason: 'the output lacks "france"',
      score: 0.5,
      pass: false,
    });
  });

  it('question alone: relevant unless blank or a refusal', () => {
    const relevance = (output: string) =>
      parse(judgeAnswer(`<question>What is 2 + 3?</question><output>${output}</output>`));
    expect(relevance('5')).toMatchObject({ score: 1, pass: true });
    for (const refusal of ["I don't know.", 'Sorry, I cannot help.', 'I cannot answer that', 'N/A', '']) {
      expect(relevance(refusal)).toMatchObject({ score: 0, pass: false });
    }
  });

  it('takes precedence over arithmetic and reply instructions in answer()', () => {
    const message = rubric('Says "5"', 'What is 2 + 3? Reply with exactly: 6');
    expect(parse(answer(message))).toMatchObject({ pass: false });
    expect(answer(message, { reply: 'forced' })).toBe('forced');
  });
});

describe('keyWords', () => {
  it('keeps words of 4+ characters and words with digits, lowercased and distinct', () => {
    expect(keyWords('The capital of France is Paris; PARIS is big. In 2024, 5 km.')).toEqual([
      'capital',
      'france',
      'paris',
      '2024',
      '5',
    ]);
  });
});

describe('quotedPhrases', () => {
  it('reads straight and curly double quotes, ignoring empty ones', () => {
    expect(quotedPhrases('Has "one", “two” and "" but not \'three\'')).toEqual(['one', 'two']);
  });
});
