import { describe, expect, it } from 'vitest';
import { makeError, makeFailed, makeResult } from '../test-helpers.js';
import { renderJunit } from './junit.js';
import { fixtureInput } from './test-fixtures.js';
import { childrenNamed, parseXml, type XmlElement } from './test-xml.js';

function suites(xml: string): { root: XmlElement; byName: Map<string, XmlElement> } {
  const root = parseXml(xml);
  return {
    root,
    byName: new Map(childrenNamed(root, 'testsuite').map((suite) => [suite.attributes.name ?? '', suite])),
  };
}

function testcase(suite: XmlElement | undefined, name: string): XmlElement {
  const found = childrenNamed(suite!, 'testcase').find((each) => each.attributes.name === name);
  if (!found) throw new Error(`no testcase ${name}`);
  return found;
}

describe('renderJunit', () => {
  const xml = renderJunit(fixtureInput());
  const { root, byName } = suites(xml);

  it('is well-formed XML with one testsuite per target and totals on testsuites', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(root.name).toBe('testsuites');
    expect([...byName.keys()]).toEqual(['gpt', 'claude']);
    // gpt: capital, math, special, formula-1..4; claude: slow, flaky, capital
    expect(root.attributes).toMatchObject({
      name: 'assay run run-1',
      tests: '10',
      failures: '3',
      errors: '1',
    });
    expect(byName.get('gpt')?.attributes).toEqual({
      name: 'gpt',
      tests: '7',
      failures: '2',
      errors: '0',
      skipped: '0',
      time: '2.500',
      timestamp: '2025-01-02T03:04:05',
    });
    expect(byName.get('claude')?.attributes).toMatchObject({ tests: '3', failures: '1', errors: '1' });
  });

  it('folds repeats into one testcase per task × target, timed in seconds', () => {
    const claude = byName.get('claude');
    expect(childrenNamed(claude!, 'testcase').map((each) => each.attributes.name)).toEqual([
      'slow',
      'flaky',
      'capital',
    ]);
    const flaky = testcase(claude, 'flaky');
    expect(flaky.attributes).toEqual({ classname: 'claude', name: 'flaky', time: '1.200' });
    const [failure] = childrenNamed(flaky, 'failure');
    expect(failure?.attributes.message).toBe('1/3 repeats failed: contains: expected "Paris"');
    expect(failure?.text).toContain('repeat 1: failed, score 0.00\n  ✗ contains: expected "Paris"');
    expect(testcase(byName.get('gpt'), 'capital').children).toEqual([]);
  });

  it('carries every failed assertion reason and an output excerpt in the failure', () => {
    const math = testcase(byName.get('gpt'), 'math');
    const [failure] = childrenNamed(math, 'failure');
    expect(failure?.attributes).toEqual({
      message: 'equals: expected "4", got "5"; llm-rubric: wrong <sum> & "bad"',
      type: 'assertion',
    });
    expect(failure?.text).toContain('✗ equals: expected "4", got "5"');
    expect(failure?.text).toContain('✗ llm-rubric: wrong <sum> & "bad"');
    expect(failure?.text).toContain('output: 5');
  });

  it('reports errored items as <error> typed by category', () => {
    const slow = testcase(byName.get('claude'), 'slow');
    expect(childrenNamed(slow, 'failure')).toEqual([]);
    const [error] = childrenNamed(slow, 'error');
    expect(error?.attributes).toEqual({ message: 'timeout: no answer after 30s', type: 'timeout' });
    expect(error?.text).toContain('after 3 attempts');
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    const special = testcase(byName.get('gpt'), `special <>&"'|`);
    const [failure] = childrenNamed(special, 'failure');
    expect(failure?.text).toContain('héllo 🌍 <b>&amp;</b> "quoted"');
    expect(failure?.text).toContain('second line ]]> </script>');
    expect(failure?.text).toContain('[31m'); // the escape character itself is gone
    expect(xml).not.toMatch(/[\u0001\u001b\uFFFF]/);
    expect(failure?.attributes.message).toBe(`contains: missing "<>&'|" at line 2`);
  });

  it('records the run id and fingerprint as properties', () => {
    const [properties] = childrenNamed(byName.get('gpt')!, 'properties');
    const values = Object.fromEntries(
      childrenNamed(properties!, 'property').map((each) => [each.attributes.name, each.attributes.value]),
    );
    expect(values).toEqual({
      'assay.run_id': 'run-1',
      'assay.run_status': 'completed',
      'assay.config_hash': 'c1',
      'assay.dataset_version': 'd1',
      'assay.git_commit': '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      'assay.target_version': 'gv1',
      'assay.version': '0.1.0',
    });
  });

  it('prefers a failure over an error when repeats did both, and counts each', () => {
    const input = fixtureInput([
      makeError('rate_limit', '429', { itemId: 'a', repeat: 0 }),
      makeFailed({ itemId: 'b', repeat: 1 }),
      makeResult({ itemId: 'c', repeat: 2 }),
    ]);
    const { root: only } = suites(renderJunit(input));
    const [suite] = childrenNamed(only, 'testsuite');
    const [failure] = childrenNamed(testcase(suite, 'task-1'), 'failure');
    expect(failure?.attributes.message).toBe('1/3 repeats failed, 1/3 errored: contains: expected "Paris"');
    expect(failure?.text).toContain('repeat 0: error (rate_limit): 429');
    expect(suite?.attributes).toMatchObject({ tests: '1', failures: '1', errors: '0' });
  });

  it('keeps attribute line breaks as character references', () => {
    const input = fixtureInput([makeFailed({ taskId: 'two\nlines\ttab' })]);
    expect(renderJunit(input)).toContain('name="two&#10;lines&#9;tab"');
    const [suite] = childrenNamed(parseXml(renderJunit(input)), 'testsuite');
    expect(childrenNamed(suite!, 'testcase')[0]?.attributes.name).toBe('two\nlines\ttab');
  });

  it('is an empty testsuites element without results', () => {
    const empty = parseXml(renderJunit(fixtureInput([])));
    expect(empty.attributes).toMatchObject({ tests: '0', failures: '0', errors: '0', time: '0.000' });
    expect(empty.children).toEqual([]);
  });
});
