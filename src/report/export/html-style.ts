/** The stylesheet of the HTML export: system fonts only, light and dark, nothing fetched. */
export const HTML_STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --card: #f6f8fa; --pass: #1a7f37; --fail: #cf222e; --error: #9a6700; --accent: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --card: #151b23;
    --pass: #3fb950; --fail: #f85149; --error: #d29922; --accent: #4493f8; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 24px; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin: 0; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin-top: 18px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 20px; font-weight: 600; }
.card .note { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.controls input, .controls select, button { font: inherit; color: inherit; background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
.controls input { min-width: 280px; }
#result-count { color: var(--muted); }
tr.result { cursor: pointer; }
tr.result:hover { background: var(--card); }
button.toggle { border: none; padding: 0 4px; cursor: pointer; background: none; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600;
  color: #fff; }
.badge.passed { background: var(--pass); }
.badge.failed { background: var(--fail); }
.badge.error { background: var(--error); }
.excerpt { color: var(--muted); max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
tr.detail > td { background: var(--card); padding: 12px 16px; }
.detail h3 { font-size: 13px; margin: 12px 0 4px; }
.detail h3:first-child { margin-top: 0; }
.detail pre { white-space: pre-wrap; word-break: break-word; margin: 0; padding: 8px;
  background: var(--bg); border: 1px solid var(--line); border-radius: 6px; max-height: 480px; overflow: auto; }
.message { margin-bottom: 6px; }
.role { color: var(--muted); font-size: 12px; text-transform: uppercase; }
.pass-mark { color: var(--pass); font-weight: 700; }
.fail-mark { color: var(--fail); font-weight: 700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
#show-more { margin-top: 10px; cursor: pointer; }
footer { color: var(--muted); margin-top: 32px; font-size: 12px; }
`;
