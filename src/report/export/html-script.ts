/**
 * The script of the HTML export (plain ES2017, no modules). It reads the data block and builds every
 * element with `textContent`, never from HTML strings, so no result text can become markup.
 */
export const HTML_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('assay-data').textContent);
  var texts = data.texts;
  var results = data.results;
  var PAGE = 200;
  var COLUMNS = 9;
  var body = document.getElementById('results-body');
  var statusFilter = document.getElementById('status-filter');
  var search = document.getElementById('search');
  var count = document.getElementById('result-count');
  var moreButton = document.getElementById('show-more');
  var haystacks = new Array(results.length);
  var matches = [];
  var shown = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function ms(value) {
    if (value === null || value === undefined) return '\\u2013';
    return value < 1000 ? Math.round(value) + 'ms' : (value / 1000).toFixed(1) + 's';
  }
  function usd(value) {
    if (value === null || value === undefined) return '\\u2013';
    if (value === 0) return '$0';
    var abs = Math.abs(value);
    return '$' + (abs >= 1 ? value.toFixed(2) : abs >= 0.0001 ? value.toFixed(4) : value.toPrecision(2));
  }
  function known(value) { return value === null || value === undefined ? '\\u2013' : String(value); }
  function haystack(index) {
    var r = results[index];
    var parts = [r.task, r.target, r.id, r.output || ''];
    if (r.error) parts.push(r.error.category + ' ' + r.error.message);
    for (var i = 0; i < r.scores.length; i++) parts.push(r.scores[i].name + ' ' + r.scores[i].reason);
    return parts.join('\\n').toLowerCase();
  }
  function wanted(r, status) {
    if (status === 'all') return true;
    if (status === 'not-passed') return r.status !== 'passed';
    return r.status === status;
  }

  function apply() {
    var status = statusFilter.value;
    var query = search.value.trim().toLowerCase();
    matches = [];
    for (var i = 0; i < results.length; i++) {
      if (!wanted(results[i], status)) continue;
      if (query) {
        if (haystacks[i] === undefined) haystacks[i] = haystack(i);
        if (haystacks[i].indexOf(query) === -1) continue;
      }
      matches.push(results[i]);
    }
    body.textContent = '';
    shown = 0;
    renderMore();
  }

  function renderMore() {
    var end = Math.min(matches.length, shown + PAGE);
    var fragment = document.createDocumentFragment();
    for (var i = shown; i < end; i++) fragment.appendChild(row(matches[i]));
    body.appendChild(fragment);
    shown = end;
    count.textContent = 'showing ' + shown + ' of ' + matches.length + ' matching (' + results.length + ' in all)';
    moreButton.hidden = shown >= matches.length;
  }

  function row(r) {
    var tr = el('tr', 'result');
    var button = add(add(tr, el('td')), el('button', 'toggle', '\\u25b8'));
    button.type = 'button';
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-label', 'details');
    add(add(tr, el('td')), el('span', 'badge ' + r.status, r.status));
    add(tr, el('td', 'mono', r.task));
    add(tr, el('td', null, r.target));
    add(tr, el('td', 'num', r.repeat));
    add(tr, el('td', 'num', r.status === 'error' ? '\\u2013' : r.score.toFixed(2)));
    add(tr, el('td', 'num', r.cached ? 'cached' : ms(r.latencyMs)));
    add(tr, el('td', 'num', usd(r.costUsd)));
    var preview = r.error ? r.error.category + ': ' + r.error.message : r.output || '';
    add(tr, el('td', 'excerpt', preview.slice(0, 200)));
    var detailRow = null;
    tr.addEventListener('click', function () {
      if (detailRow) {
        detailRow.parentNode.removeChild(detailRow);
        detailRow = null;
      } else {
        detailRow = detail(r);
        tr.parentNode.insertBefore(detailRow, tr.nextSibling);
      }
      button.textContent = detailRow ? '\\u25be' : '\\u25b8';
      button.setAttribute('aria-expanded', detailRow ? 'true' : 'false');
    });
    return tr;
  }

  function detail(r) {
    var tr = el('tr', 'detail');
    var td = add(tr, el('td'));
    td.colSpan = COLUMNS;
    add(td, el('h3', null, 'Prompt'));
    for (var i = 0; i < r.prompt.length; i++) {
      var message = add(td, el('div', 'message'));
      add(message, el('div', 'role', r.prompt[i][0]));
      add(message, el('pre', null, texts[r.prompt[i][1]]));
    }
    add(td, el('h3', null, 'Output'));
    add(td, r.output === null ? el('em', null, 'no output') : el('pre', null, r.output));
    if (r.error) {
      add(td, el('h3', null, 'Error'));
      add(td, el('pre', null, r.error.category + ': ' + r.error.message));
    }
    if (r.scores.length > 0) {
      add(td, el('h3', null, 'Scores'));
      var table = add(td, el('table'));
      var head = add(add(table, el('thead')), el('tr'));
      ['', 'scorer', 'value', 'weight', 'reason'].forEach(function (name) { add(head, el('th', null, name)); });
      var rows = add(table, el('tbody'));
      r.scores.forEach(function (score) {
        var line = add(rows, el('tr'));
        add(line, el('td', score.pass ? 'pass-mark' : 'fail-mark', score.pass ? '\\u2713' : '\\u2717'));
        add(line, el('td', 'mono', score.metric ? score.name + ' \\u2192 ' + score.metric : score.name));
        add(line, el('td', 'num', score.value.toFixed(2)));
        add(line, el('td', 'num', score.weight));
        add(line, el('td', null, score.reason));
      });
    }
    if (r.attemptLog && r.attemptLog.length > 0) {
      add(td, el('h3', null, 'Attempts'));
      var list = add(td, el('ol'));
      r.attemptLog.forEach(function (attempt) {
        var parts = [attempt.target, attempt.outcome];
        if (attempt.httpStatus !== undefined) parts.push('HTTP ' + attempt.httpStatus);
        parts.push(ms(attempt.latencyMs));
        if (attempt.message) parts.push(attempt.message);
        add(list, el('li', 'mono', parts.join(' \\u00b7 ')));
      });
    }
    add(td, el('h3', null, 'Details'));
    var facts = add(td, el('dl', 'facts'));
    [
      ['item', r.id],
      ['task version', r.taskVersion],
      ['served by', r.servedBy + (r.servedBy !== r.target ? ' (fallback)' : '')],
      ['cached', r.cached ? (r.stale ? 'yes (stale)' : 'yes') : 'no'],
      ['attempts', r.attempts],
      ['latency', ms(r.latencyMs) + (r.ttftMs !== null ? ' (first token ' + ms(r.ttftMs) + ')' : '')],
      ['tokens in/out', known(r.inputTokens) + ' / ' + known(r.outputTokens)],
      ['cost', usd(r.costUsd) + (r.judgeCostUsd !== null ? ' + judge ' + usd(r.judgeCostUsd) : '')],
    ].forEach(function (fact) {
      add(facts, el('dt', null, fact[0]));
      add(facts, el('dd', 'mono', fact[1]));
    });
    return tr;
  }

  var timer = null;
  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
  statusFilter.addEventListener('change', apply);
  moreButton.addEventListener('click', renderMore);
  apply();
})();
`;
