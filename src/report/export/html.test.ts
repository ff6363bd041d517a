import { describe, expect, it } from 'vitest';
import type { ItemResult } from '../../types.js';
import { makeResult } from '../test-helpers.js';
import { embedJson, escapeHtml, type HtmlData, renderHtml } from './html.js';
import { FakeElement, runScript } from './test-dom.js';
import { fixtureInput, NASTY } from './test-fixtures.js';

const DATA_OPEN = '<script type="application/json" id="assay-data">';

function split(html: string): { shell: string; json: string; script: string } {
  const start = html.indexOf(DATA_OPEN);
  const end = html.indexOf('</script>', start);
  const scriptStart = html.indexOf('<script>', end) + '<script>'.length;
  return {
    shell: html.slice(0, start) + html.slice(end),
    json: html.slice(start + DATA_OPEN.length, end),
    script: html.slice(scriptStart, html.indexOf('</script>', scriptStart)),
  };
}

/** Runs the page's script on fake elements; returns them. */
function open(html: string) {
  const { json, script } = split(html);
  const elements = {
    'assay-data': new FakeElement('script'),
    'results-body': new FakeElement('tbody'),
    'status-filter': new FakeElement('select'),
    search: new FakeElement('input'),
    'result-count': new FakeElement('span'),
    'show-more': new FakeElement('button'),
  };
  elements['assay-data'].textContent = json;
  elements['status-filter'].value = 'all';
  runScript(script, elements);
  const rows = () => elements['results-body'].children;
  const filter = (status: string, query = '') => {
    elements['status-filter'].value = status;
    elements.search.value = query;
    elements.search.dispatch('input');
  };
  return { elements, rows, filter };
}

describe('renderHtml', () => {
  const input = fixtureInput();
  const html = renderHtml(input);
  const { shell, json, script } = split(html);

  it('is one document that fetches nothing: no URL outside the data, a CSP that forbids any', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(shell).not.toMatch(/https?:\/\//);
    expect(shell).not.toMatch(/\s(src|href)=|url\(|@import/);
    expect(shell).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`,
    );
    // The fixture's URLs are there, but only as data.
    expect(json).toContain('https://example.com/x');
  });

  it('embeds the data as JSON that no text can break out of', () => {
    expect(json).not.toContain('<');
    expect(html.split('</script>')).toHaveLength(3); // the data block's and the script's
    const data = JSON.parse(json) as HtmlData;
    expect(data.runId).toBe('run-1');
    expect(data.results).toHaveLength(input.results.length);
    const special = data.results.find((result) => result.id === 'i-special');
    expect(special?.output).toBe(`${NASTY}\u0001\u001b[31m\uFFFF`);
    expect(special?.task).toBe(`special <>&"'|`);
    expect(data.texts[special?.prompt[0]?.[1] ?? -1]).toBe('Say hi');
    expect(embedJson({ text: '</script><!--' })).toBe('{"text":"\\u003c/script>\\u003c!--"}');
  });

  it('never builds markup from strings in its script', () => {
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect(script).toContain('textContent');
  });

  it('shows summary cards and a per-target table, escaped', () => {
    expect(shell).toContain('<h1>❌ Assay run run-1</h1>');
    expect(shell).toContain(
      '<div class="label">pass rate</div><div class="value">66.7%</div><div class="note">95% CI 39.1–86.2%</div>',
    );
    expect(shell).toContain('<div class="label">cost</div><div class="value">$0.0120 (judge $0.0020)</div>');
    expect(shell).toContain(
      '<tr><td>gpt</td><td class="num">71.4% (5/7)</td><td class="num">35.9–91.8%</td><td class="num">0.71</td>',
    );
    const hostile = renderHtml(fixtureInput([makeResult({ targetName: '<img src=x onerror=alert(1)>' })]));
    expect(hostile).toContain('<td>&lt;img src=x onerror=alert(1)&gt;</td>');
    expect(split(hostile).shell).not.toContain('<img');
  });

  it('lists every result and filters them by status and text', () => {
    const page = open(html);
    expect(page.rows()).toHaveLength(12);
    expect(page.elements['result-count'].textContent).toBe('showing 12 of 12 matching (12 in all)');
    expect(page.elements['show-more'].hidden).toBe(true);

    page.filter('not-passed');
    expect(page.rows().map((row) => row.children[2]?.textContent)).toEqual([
      'math',
      'slow',
      'flaky',
      `special <>&"'|`,
    ]);
    page.filter('error');
    expect(page.rows().map((row) => row.children[2]?.textContent)).toEqual(['slow']);
    page.filter('all', 'HYPERLINK');
    expect(page.rows().map((row) => row.children[2]?.textContent)).toEqual(['formula-1']);
    page.filter('failed', 'paris'); // matches the failing score's reason
    expect(page.rows().map((row) => row.children[2]?.textContent)).toEqual(['flaky']);
  });

  it('expands a row into prompt, output, scores with reasons, error and attempts', () => {
    const page = open(html);
    page.filter('all', 'special');
    const [row] = page.rows();
    row?.dispatch('click');
    const [, detail] = page.rows();
    expect(detail?.className).toBe('detail');
    const text = (tag: string) => detail?.findAll(tag).map((node) => node.textContent) ?? [];
    expect(text('h3')).toEqual(['Prompt', 'Output', 'Scores', 'Details']);
    expect(text('pre')).toEqual(['Say hi', `${NASTY}\u0001\u001b[31m\uFFFF`]);
    expect(text('td')).toContain(`missing "<>&'|"\nat line 2`);
    row?.dispatch('click');
    expect(page.rows()).toHaveLength(1);

    page.filter('error');
    page.rows()[0]?.dispatch('click');
    const errored = page.rows()[1];
    const texts = (tag: string) => errored?.findAll(tag).map((node) => node.textContent);
    expect(texts('h3')).toEqual(['Prompt', 'Output', 'Error', 'Attempts', 'Details']);
    expect(texts('pre')).toEqual(['Say hi', 'timeout: no answer after 30s']);
    expect(texts('li')).toEqual([
      'claude · timeout · 30.0s · no answer',
      'backup · transient · HTTP 503 · 20ms',
    ]);
  });

  it('pages long result lists', () => {
    const results = Array.from({ length: 450 }, (_, index) => makeResult({ itemId: `i${index}` }));
    const page = open(renderHtml(fixtureInput(results)));
    expect(page.rows()).toHaveLength(200);
    expect(page.elements['show-more'].hidden).toBe(false);
    page.elements['show-more'].dispatch('click');
    page.elements['show-more'].dispatch('click');
    expect(page.rows()).toHaveLength(450);
    expect(page.elements['show-more'].hidden).toBe(true);
  });

  it('stores a prompt shared by many results once, keeping 10k results small', () => {
    const system = `You are a careful assistant. ${'Follow the rules. '.repeat(100)}`;
    const results: ItemResult[] = Array.from({ length: 10_000 }, (_, index) =>
      makeResult({
        itemId: `item-${index}`,
        taskId: `task-${index % 500}`,
        repeat: Math.floor(index / 500),
        prompt: [
          { role: 'system', content: system },
          { role: 'user', content: `Question ${index % 500}` },
        ],
        output: `Answer number ${index}`,
      }),
    );
    const page = renderHtml(fixtureInput(results));
    expect(page.split(system)).toHaveLength(2);
    expect(page.length).toBeLessThan(5_000_000);
    const data = JSON.parse(split(page).json) as HtmlData;
    expect(data.texts).toHaveLength(501);
  });

  it('cuts huge outputs in the page', () => {
    const page = renderHtml(fixtureInput([makeResult({ output: 'x'.repeat(50_000) })]));
    const [result] = (JSON.parse(split(page).json) as HtmlData).results;
    expect(result?.output).toBe(`${'x'.repeat(20_000)}… (30000 more characters)`);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
