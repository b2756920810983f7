/** The dashboard's one stylesheet, served as /style.css. */
export const stylesheet = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7f9; --card: #fff; --accent: #2b59c3; --good: #1e7b45; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
header { background: var(--ink); color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: baseline; }
header a { color: #fff; text-decoration: none; opacity: .85; }
header a:hover, header a[aria-current] { opacity: 1; text-decoration: underline; }
header strong { font-size: 16px; margin-right: 12px; }
main { padding: 16px 24px 40px; max-width: 1280px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 0 0 6px; }
.muted, .note { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px; flex: 1 1 440px; max-width: 640px; overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 12px; margin-bottom: 4px; }
table { border-collapse: collapse; background: var(--card); border: 1px solid var(--line); margin: 6px 0 12px; width: 100%; }
th, td { text-align: left; padding: 5px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f6; font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.outcome-accepted, .better { color: var(--good); font-weight: 600; }
.outcome-rejected { color: #8a5a00; font-weight: 600; }
.outcome-failed, .worse { color: var(--bad); font-weight: 600; }
.version { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.version h3 + p { margin-top: 0; }
.version .diff + h3, .version table + h3 { margin-top: 14px; }
.version.reset { border-left-color: #8a5a00; }
.version.init { border-left-color: var(--muted); }
.diff { white-space: pre-wrap; font: 13px/1.5 ui-monospace, "DejaVu Sans Mono", monospace; background: #fbfbfc; border: 1px solid var(--line); padding: 8px; border-radius: 4px; max-height: 320px; overflow: auto; }
.diff ins { background: #d8f5de; text-decoration: none; }
.diff .block { display: block; margin: 4px 0; padding: 4px; }
.diff del { background: #fbdcdc; }
details summary { cursor: pointer; color: var(--accent); }
.clip { max-width: 420px; }
`;
