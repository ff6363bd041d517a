import { describe, expect, it } from 'vitest';
import { toJsonReport } from '../json.js';
import { summarizeRun } from '../summary.js';
import { renderJson } from './json.js';
import { fixtureInput } from './test-fixtures.js';

describe('renderJson', () => {
  it('is the --json report with every result, indented', () => {
    const input = fixtureInput();
    const text = renderJson(input);
    expect(JSON.parse(text)).toEqual(
      JSON.parse(JSON.stringify(toJsonReport(input.run, summarizeRun(input.results), input.results))),
    );
    expect(text).toMatch(/^\{\n {2}"schemaVersion": 1,/);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
