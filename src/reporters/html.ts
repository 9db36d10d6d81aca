import type { CheckResult } from '../check/result.ts';
import type { RunResult, SpecResult } from '../run/result.ts';
import { diffKind, diffSign, formatDuration, formatTime, locationOf, pretty, problemsOf, rowCountsOf, signed, verdictOf } from './format.ts';
import { closingLine, type Reporter } from './reporter.ts';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const e = escapeHtml;
const MARK = { passed: '✓', failed: '✗', errored: '!' } as const;
const LABEL = { passed: 'Passed', failed: 'Failed', errored: 'Errored' } as const;
/** At most this many objects of a glob are listed under a failure. */
const MAX_FAILURES = 100;

const badge = (state: CheckResult['state']) => `<span class="badge ${state}"><span aria-hidden="true">${MARK[state]}</span> ${LABEL[state]}</span>`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// Colour is never the only signal: every state also has a mark and a word, so a black-and-white print reads the same.
const CSS = `
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --page: #eef1f4;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --err: #9a6700; --err-bg: #fff8c5;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--page); color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
.report { max-width: 1180px; margin: 24px auto; padding: 0 24px 32px; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
h2 { font-size: 17px; margin: 0 0 12px; display: flex; align-items: baseline; gap: 10px; }
h2 .count, h3 .count { color: var(--muted); font-weight: 400; font-size: 13px; }
h3 { font-size: 15px; margin: 0 0 10px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 10px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 20px; margin-top: 16px; }
.banner { display: flex; align-items: center; gap: 18px; padding: 20px 24px; border-radius: 8px; color: #fff; border: 1px solid transparent; }
.banner.passed { background: var(--pass); } .banner.failed { background: var(--fail); } .banner.error { background: var(--err); }
.banner .mark { flex: none; width: 52px; height: 52px; border-radius: 50%; border: 3px solid currentColor; display: grid; place-items: center; font-size: 28px; font-weight: 700; }
.banner .eyebrow { margin: 0; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; opacity: .9; }
.banner h1 { margin: 0; font-size: 26px; line-height: 1.2; }
.banner .closing { margin: 2px 0 0; font-size: 15px; font-family: var(--mono); }
.meta { display: grid; grid-template-columns: minmax(0, 1fr) repeat(4, max-content); gap: 12px 40px; margin: 0; }
.meta div { min-width: 0; }
.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.meta dd { margin: 2px 0 0; overflow-wrap: anywhere; }
.counts { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; margin-top: 16px; }
.count-card { background: #fff; border: 1px solid var(--line); border-left-width: 5px; border-radius: 8px; padding: 12px 16px; }
.count-card .n { font-size: 28px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.count-card .what { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
.count-card.passed { border-left-color: var(--pass); } .count-card.passed .n { color: var(--pass); }
.count-card.failed { border-left-color: var(--fail); } .count-card.failed .n { color: var(--fail); }
.count-card.errored { border-left-color: var(--err); } .count-card.errored .n { color: var(--err); }
.count-card.total { border-left-color: var(--muted); }
.count-card.zero .n { color: var(--muted); }
.run-error { border-color: var(--err); background: var(--err-bg); }
.run-error pre { margin: 8px 0 0; background: #fff; }
.badge { display: inline-block; white-space: nowrap; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px; border: 1px solid currentColor; }
.badge.passed { color: var(--pass); background: var(--pass-bg); } .badge.failed { color: var(--fail); background: var(--fail-bg); } .badge.errored { color: var(--err); background: var(--err-bg); }
.failure { border: 1px solid var(--line); border-left: 5px solid var(--fail); border-radius: 6px; padding: 12px 16px; margin-top: 12px; }
.failure.errored { border-left-color: var(--err); }
.failure:first-of-type { margin-top: 0; }
.failure header { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; }
.failure .object { font-size: 13.5px; font-weight: 600; }
.failure .where { color: var(--muted); font-size: 12.5px; }
.failure .message { margin: 8px 0 0; font-weight: 600; white-space: pre-line; overflow-wrap: anywhere; }
.compare { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; margin-top: 10px; }
.compare h4 { margin: 0 0 4px; font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
pre { margin: 0; padding: 10px 12px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 420px; overflow: auto; }
.compare .expected pre { border-left: 3px solid var(--pass); } .compare .actual pre { border-left: 3px solid var(--fail); }
.objects { margin: 10px 0 0; padding-left: 20px; } .objects li { margin: 2px 0; }
.spec + .spec { margin-top: 22px; }
.spec h3 .file { color: var(--muted); font-weight: 400; font-size: 12.5px; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
thead th { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); background: var(--soft); border-bottom: 1px solid var(--line); }
tbody tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.state { white-space: nowrap; width: 1%; }
td.phase { white-space: nowrap; width: 1%; color: var(--muted); }
td.expectation { width: 34%; overflow-wrap: anywhere; }
td.message { overflow-wrap: anywhere; white-space: pre-line; }
tr.failed td { background: #fff6f5; } tr.errored td { background: #fffcea; }
tr.failed td.message, tr.errored td.message { font-weight: 600; }
.results td.num { color: var(--muted); width: 1%; }
tr.changed td { background: #fff8e6; font-weight: 600; }
.delta.up { color: var(--pass); } .delta.down { color: var(--fail); }
.diff { padding: 0; overflow: auto; }
.diff span { display: block; padding: 1px 12px; }
.diff .add { background: #e6ffec; color: #116329; } .diff .drop { background: #ffebe9; color: #a0111f; } .diff .change { background: #fff8c5; color: #6c4a00; }
.diff span:first-child { padding-top: 8px; } .diff span:last-child { padding-bottom: 8px; }
.bar { height: 8px; background: #8c959f; border-radius: 4px; min-width: 2px; }
td.bar-cell { width: 40%; vertical-align: middle; }
.command + .command { margin-top: 12px; }
.command summary { cursor: pointer; }
.command pre { margin-top: 8px; }
.empty { color: var(--muted); margin: 0; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 20px; }
@media (max-width: 720px) { .counts, .meta { grid-template-columns: repeat(2, minmax(0, 1fr)); } .compare { grid-template-columns: 1fr; } .meta .target { grid-column: 1 / -1; } }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { background: #fff; font-size: 9pt; }
  code, pre, .mono { font-size: 8pt; }
  th, td { padding: 4pt 6pt; }
  td.expectation { width: 32%; }
  .report { max-width: none; margin: 0; padding: 0 2px; }
  section, .count-card, .failure { border-color: #000; border-radius: 0; }
  section { padding: 10pt 12pt; margin-top: 10pt; }
  .banner { background: none !important; color: #000; border: 2pt solid #000; border-radius: 0; }
  .badge, .badge.passed, .badge.failed, .badge.errored { background: none; color: #000; }
  .badge.failed, .badge.errored { border-width: 2px; }
  .count-card .n, .count-card.passed .n, .count-card.failed .n, .count-card.errored .n { color: #000; }
  .count-card, .count-card.passed, .count-card.failed, .count-card.errored, .count-card.total { border-left-color: #000; }
  .compare .expected pre, .compare .actual pre { border-left-color: #000; }
  .failure { border-left: 4pt solid #000; }
  .failure.errored { border-left-style: double; }
  tr.failed td, tr.errored td, tr.changed td { background: none; }
  tr.failed td:first-child, tr.errored td:first-child { box-shadow: inset 3pt 0 0 #000; }
  thead th { background: none; color: #000; border-bottom: 1.5pt solid #000; }
  th, td { border-bottom-color: #999; }
  pre { max-height: none; overflow: visible; background: none; border-color: #999; }
  .diff .add, .diff .drop, .diff .change { background: none; color: #000; }
  .bar { background: #555; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .delta.up, .delta.down { color: #000; }
  thead { display: table-header-group; }
  tr, .failure, .count-card, .meta div, pre, .command { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .banner, .counts { break-inside: avoid; }
  .command summary { list-style: none; }
}
`;

// Details blocks print open: a sign-off copy must show everything.
const SCRIPT = `addEventListener('beforeprint', () => { for (const d of document.querySelectorAll('details')) d.open = true; });`;

function header(run: RunResult): string {
  const verdict = verdictOf(run);
  const mark = { passed: '✓', failed: '✗', error: '!' }[verdict];
  const title = { passed: 'Passed', failed: 'Failed', error: 'Could not run' }[verdict];
  return `<header class="banner ${verdict}">
  <div class="mark" aria-hidden="true">${mark}</div>
  <div>
    <p class="eyebrow">pgspec ${e(run.command)} report</p>
    <h1>${title}</h1>
    <p class="closing" data-testid="closing">${e(closingLine(run))}</p>
  </div>
</header>`;
}

function meta(run: RunResult): string {
  const item = (label: string, value: string, cls = '') => `<div${cls ? ` class="${cls}"` : ''}><dt>${label}</dt><dd>${value}</dd></div>`;
  return `<section aria-label="Run"><dl class="meta">
  ${item('Target', `<code>${e(run.target)}</code>`, 'target')}
  ${item('Started', e(formatTime(run.startedAt)))}
  ${item('Duration', e(formatDuration(run.durationMs)))}
  ${item('pgspec', e(run.pgspecVersion))}
  ${item('Command', e(run.command))}
</dl></section>`;
}

function counts(run: RunResult): string {
  const { passed, failed, errored } = run.summary;
  const card = (cls: string, n: number, what: string) =>
    `<div class="count-card ${cls}${n === 0 ? ' zero' : ''}" data-testid="count-${cls}"><div class="n">${n}</div><div class="what">${what}</div></div>`;
  return `<div class="counts">${card('total', passed + failed + errored, 'Expectations')}${card('passed', passed, 'Passed')}${card('failed', failed, 'Failed')}${card('errored', errored, 'Errored')}</div>`;
}

function runError(run: RunResult): string {
  if (!run.error) return '';
  return `<section class="run-error" role="alert"><h2>The run could not be carried out <span class="count">${e(run.error.code)}</span></h2><pre>${e(run.error.message)}</pre></section>`;
}

function failure(spec: SpecResult, r: CheckResult): string {
  const parts = [
    `<article class="failure ${r.state}">`,
    `<header>${badge(r.state)} <code class="object">${e(r.object)}</code> <span class="where">${e(r.phase)} · ${e(spec.name)} · <span class="mono">${e(locationOf(spec.file, r))}</span></span></header>`,
    `<p class="message">${e(r.message)}</p>`,
  ];
  if (r.expected !== undefined || r.actual !== undefined) {
    const side = (cls: string, title: string, v: unknown) => `<div class="${cls}"><h4>${title}</h4><pre>${v === undefined ? '<span class="empty">not recorded</span>' : e(pretty(v))}</pre></div>`;
    parts.push(`<div class="compare">${side('expected', 'Expected', r.expected)}${side('actual', 'Actual', r.actual)}</div>`);
  }
  // One failing object is the message itself; a glob lists each of several.
  const list = r.failures && r.failures.length > 1 ? r.failures : [];
  if (list.length > 0) {
    const items = list.slice(0, MAX_FAILURES).map((f) => `<li><code>${e(f.object)}</code>: ${e(f.message)}</li>`);
    if (list.length > MAX_FAILURES) items.push(`<li>… and ${list.length - MAX_FAILURES} more</li>`);
    parts.push(`<ul class="objects">${items.join('')}</ul>`);
  }
  parts.push('</article>');
  return parts.join('\n');
}

function failures(run: RunResult): string {
  const problems = problemsOf(run);
  if (problems.length === 0) return '';
  return `<section id="failures"><h2>Failures <span class="count">${problems.length}</span></h2>
${problems.map(({ spec, result }) => failure(spec, result)).join('\n')}
</section>`;
}

function specTable(spec: SpecResult): string {
  const passed = spec.results.filter((r) => r.state === 'passed').length;
  const rows = spec.results.map(
    (r, i) => `<tr class="${r.state}"><td class="num">${i + 1}</td><td class="state">${badge(r.state)}</td><td class="phase">${e(r.phase)}</td><td class="expectation"><code>${e(r.object)}</code></td><td class="message">${e(r.message)}</td><td class="num">${r.line ?? ''}</td></tr>`,
  );
  const head = `<h3>${e(spec.name)} <span class="file mono">${e(spec.file)}</span> <span class="count">${passed} of ${spec.results.length} passed</span></h3>`;
  if (spec.results.length === 0) return `<div class="spec">\n${head}\n<p class="empty">No expectations were evaluated.</p>\n</div>`;
  return `<div class="spec">
${head}
<table class="results"><thead><tr><th class="num">#</th><th>State</th><th>Phase</th><th>Expectation</th><th>Message</th><th class="num">Line</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</div>`;
}

function results(run: RunResult): string {
  // A run that could not be carried out lists its specs with no results: nothing to show.
  const specs = run.error ? run.specs.filter((s) => s.results.length > 0) : run.specs;
  if (specs.length === 0) return '';
  return `<section id="results"><h2>Results <span class="count">${plural(specs.length, 'spec')}</span></h2>
${specs.map(specTable).join('\n')}
</section>`;
}

function rowCounts(run: RunResult): string {
  const { rows, hasPre, hasPost } = rowCountsOf(run);
  if (rows.length === 0) return '';
  const both = hasPre && hasPost;
  const cell = (n: number | undefined) => `<td class="num">${n === undefined ? '–' : n.toLocaleString('en-US')}</td>`;
  const body = rows.map((r) => {
    const changed = r.change !== undefined && r.change !== 'same';
    const delta =
      r.change === 'new' ? '<span class="delta up">new table</span>'
      : r.change === 'gone' ? '<span class="delta down">table gone</span>'
      : r.delta === undefined ? '–'
      : `<span class="delta ${r.delta > 0 ? 'up' : r.delta < 0 ? 'down' : ''}">${signed(r.delta)}</span>`;
    return `<tr${changed ? ' class="changed"' : ''}><td><code>${e(r.table)}</code></td>${hasPre ? cell(r.pre) : ''}${hasPost ? cell(r.post) : ''}${both ? `<td class="num">${delta}</td>` : ''}</tr>`;
  });
  const changed = rows.filter((r) => r.change !== undefined && r.change !== 'same').length;
  return `<section id="row-counts"><h2>Row counts <span class="count">${plural(rows.length, 'table')}${both ? `, ${changed} changed` : ''}</span></h2>
<table><thead><tr><th>Table</th>${hasPre ? '<th class="num">Pre</th>' : ''}${hasPost ? '<th class="num">Post</th>' : ''}${both ? '<th class="num">Change</th>' : ''}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table>
</section>`;
}

function diff(run: RunResult): string {
  const lines = run.diff ?? [];
  const title = run.command === 'check' ? 'Changes since the baseline' : 'Structural diff, pre → post';
  if (lines.length === 0) return run.command === 'gate' && !run.error ? `<section id="diff"><h2>${title}</h2><p class="empty">No structural changes.</p></section>` : '';
  return `<section id="diff"><h2>${title} <span class="count">${plural(lines.length, 'change')}</span></h2>
<pre class="diff">${lines.map((l) => `<span class="${diffKind(l)}">${diffSign(l)} ${e(l)}</span>`).join('')}</pre>
</section>`;
}

function steps(run: RunResult): string {
  const list = run.steps ?? [];
  if (list.length === 0) return '';
  const longest = Math.max(1, ...list.map((s) => s.durationMs));
  const total = list.reduce((sum, s) => sum + s.durationMs, 0);
  const body = list.map(
    (s) =>
      `<tr><td>${e(s.step)}</td><td>${s.spec ? e(s.spec) : ''}</td><td class="num">${e(formatDuration(s.durationMs))}</td><td class="bar-cell"><div class="bar" style="width:${((s.durationMs / longest) * 100).toFixed(1)}%"></div></td></tr>`,
  );
  return `<section id="steps"><h2>Step timings <span class="count">${e(formatDuration(total))} in all</span></h2>
<table><thead><tr><th>Step</th><th>Spec</th><th class="num">Duration</th><th></th></tr></thead>
<tbody>
${body.join('\n')}
</tbody></table>
</section>`;
}

function commands(run: RunResult): string {
  const list = run.commands ?? [];
  if (list.length === 0) return '';
  const items = list.map((c) => {
    const ok = c.exitCode === 0 && !c.signal;
    const how = c.signal ? `killed by ${c.signal}` : `exit ${c.exitCode ?? '?'}`;
    return `<details class="command"${ok ? '' : ' open'}><summary><code>${e(c.command)}</code> <span class="badge ${ok ? 'passed' : 'failed'}">${e(how)}</span> <span class="count">${e(formatDuration(c.durationMs))}</span></summary>
<pre>${c.output.trim() ? e(c.output) : '<span class="empty">no output</span>'}</pre></details>`;
  });
  return `<section id="commands"><h2>Migration commands <span class="count">${list.length}</span></h2>
${items.join('\n')}
</section>`;
}

/**
 * The html reporter: one self-contained page (inline CSS, nothing loaded from the network) with
 * the verdict, counts, failures with expected and actual, per-spec tables, row counts, the
 * structural diff, gate timings, and a print stylesheet for a signed-off paper copy.
 */
export const htmlReporter: Reporter = {
  render(run) {
    const title = `pgspec ${run.command}: ${closingLine(run)}${run.error ? ' (could not run)' : ''}`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="generator" content="pgspec ${e(run.pgspecVersion)}">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main class="report">
${header(run)}
${counts(run)}
${meta(run)}
${runError(run)}
${failures(run)}
${results(run)}
${rowCounts(run)}
${diff(run)}
${steps(run)}
${commands(run)}
<footer>Generated by pgspec ${e(run.pgspecVersion)} · ${e(run.command)} run started ${e(formatTime(run.startedAt))}</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
  },
};
