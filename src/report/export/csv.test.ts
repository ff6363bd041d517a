import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { makeError } from '../test-helpers.js';
import { CSV_COLUMNS, neutralizeFormula, renderCsv } from './csv.js';
import { fixtureInput, NASTY } from './test-fixtures.js';

function parseCsv(text: string): Array<Record<string, string>> {
  // Quotes are checked strictly by default: a stray quote in a field would throw here.
  return parse(text, { columns: true }) as Array<Record<string, string>>;
}

describe('renderCsv', () => {
  const input = fixtureInput();
  const text = renderCsv(input);
  const rows = parseCsv(text);
  const byItem = new Map(rows.map((row) => [row.item_id, row]));

  it('has the stable header and one row per result', () => {
    expect(text.slice(0, text.indexOf('\r\n'))).toBe(
      'run_id,item_id,task_id,task_version,target,repeat,status,score,latency_ms,input_tokens,output_tokens,cost_usd,judge_cost_usd,cached,error_category,error_message,output,failed_assertions',
    );
    expect(CSV_COLUMNS).toHaveLength(18);
    expect(rows).toHaveLength(input.results.length);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('writes numbers plainly and unknown values as empty fields', () => {
    expect(byItem.get('i-math-gpt')).toEqual({
      run_id: 'run-1',
      item_id: 'i-math-gpt',
      task_id: 'math',
      task_version: 'tv1',
      target: 'gpt',
      repeat: '0',
      status: 'failed',
      score: '0',
      latency_ms: '800',
      input_tokens: '10',
      output_tokens: '5',
      cost_usd: '0.001',
      judge_cost_usd: '0.002',
      cached: 'false',
      error_category: '',
      error_message: '',
      output: '5',
      failed_assertions: 'equals: expected "4", got "5"; llm-rubric: wrong <sum> & "bad"',
    });
    expect(byItem.get('i-slow-claude')).toMatchObject({
      status: 'error',
      input_tokens: '',
      cost_usd: '',
      error_category: 'timeout',
      error_message: 'no answer after 30s',
      output: '',
    });
    expect(byItem.get('i-capital-claude')).toMatchObject({ cached: 'true', cost_usd: '0' });
  });

  it('round-trips quotes, commas, line breaks and unicode (RFC 4180)', () => {
    const special = byItem.get('i-special');
    expect(special?.task_id).toBe(`special <>&"'|`);
    expect(special?.output).toBe(`${NASTY}\u0001\u001b[31m\uFFFF`);
    expect(special?.failed_assertions).toBe(`contains: missing "<>&'|"\nat line 2`);
    expect(text).toContain('"special <>&""\'|"');
  });

  it('neutralizes formula-like text but leaves plain negative numbers alone', () => {
    expect(byItem.get('i-formula-1')?.output).toBe('\'=HYPERLINK("http://evil.test","x")');
    expect(byItem.get('i-formula-2')?.output).toBe("'@SUM(A1:A2)");
    expect(byItem.get('i-formula-3')?.output).toBe('-5');
    expect(byItem.get('i-formula-4')?.output).toBe("'+1-2");
    const negative = parseCsv(renderCsv(fixtureInput([makeError('internal', '-1 is not allowed')])));
    expect(negative[0]?.error_message).toBe("'-1 is not allowed");
  });

  it('is just the header without results', () => {
    expect(parseCsv(renderCsv(fixtureInput([])))).toEqual([]);
  });
});

describe('neutralizeFormula', () => {
  it('prefixes text a spreadsheet would evaluate', () => {
    for (const formula of ['=1+1', '+A1', '-A1', '@A1', '\t=1', '\r=1']) {
      expect(neutralizeFormula(formula)).toBe(`'${formula}`);
    }
    for (const plain of ['1+1', 'a=b', '-5', '+3.5', '-1e3', ''])
      expect(neutralizeFormula(plain)).toBe(plain);
  });
});
