import type { CheckResult } from '../check/result.ts';
import type { RunResult } from '../run/result.ts';
import { diffKind, formatDuration, formatTime, locationOf, pretty, problemsOf, rowCountsOf, signed, verdictOf } from './format.ts';
import { closingLine, type Reporter } from './reporter.ts';

const ICON = { passed: '✅', failed: '❌', errored: '⚠️' } as const;
const HEADING = { passed: '✅', failed: '❌', error: '⚠️' } as const;
/** At most this many objects of a glob are listed under a failure. */
const MAX_FAILURES = 20;
/** A migration command's output is cut to its last characters. */
const MAX_OUTPUT = 4000;
/** Above this many tables the row-count table is folded away. */
const OPEN_ROW_COUNTS = 15;

/**
 * Escapes text for a Markdown paragraph or table cell: characters that would start emphasis,
 * a link, code or HTML are backslash-escaped, `|` cannot end a cell and newlines become `<br>`.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*[\]~|]/g, '\\$&')
    // snake_case never starts emphasis; only an underscore at a word boundary can
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/</g, '&lt;')
    .replace(/^([#>+-])/, '\\$1')
    .replace(/\r?\n/g, '<br>');
}

/** A code span that survives any backticks in its text; inside a table `|` is escaped and newlines become spaces. */
export function codeSpan(text: string, inTable = false): string {
  let body = text.replace(/\r?\n/g, ' ');
  if (inTable) body = body.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block that survives any backtick fences in its text. */
function codeBlock(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function valueLines(label: string, value: unknown): string[] {
  const text = pretty(value);
  if (!text.includes('\n') && text.length <= 100) return [`- ${label}: ${codeSpan(text)}`];
  return [`- ${label}:`, '', indent(codeBlock(text, 'json')), ''];
}

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');

function failureBlock(file: string, r: CheckResult): string[] {
  const out = [`#### ${ICON[r.state]} ${codeSpan(r.object)}`, '', `${r.state} · ${r.phase} · ${codeSpan(locationOf(file, r))}`, '', escapeMarkdown(r.message), ''];
  const details: string[] = [];
  if (r.expected !== undefined) details.push(...valueLines('Expected', r.expected));
  if (r.actual !== undefined) details.push(...valueLines('Actual', r.actual));
  // One failing object is the message itself; a glob lists each of several.
  const failures = r.failures && r.failures.length > 1 ? r.failures : [];
  for (const f of failures.slice(0, MAX_FAILURES)) details.push(`- ${codeSpan(f.object)}: ${escapeMarkdown(f.message)}`);
  if (failures.length > MAX_FAILURES) details.push(`- … and ${failures.length - MAX_FAILURES} more`);
  if (details.length > 0) out.push(...details, '');
  return out;
}

function rowCountSection(run: RunResult): string[] {
  const { rows, hasPre, hasPost } = rowCountsOf(run);
  if (rows.length === 0) return [];
  const both = hasPre && hasPost;
  const head = ['Table', ...(hasPre ? ['Pre'] : []), ...(hasPost ? ['Post'] : []), ...(both ? ['Δ'] : [])];
  const table = [row(head), row(head.map((_, i) => (i === 0 ? '---' : '---:')))];
  for (const r of rows) {
    table.push(
      row([
        codeSpan(r.table, true),
        ...(hasPre ? [r.pre === undefined ? '–' : String(r.pre)] : []),
        ...(hasPost ? [r.post === undefined ? '–' : String(r.post)] : []),
        ...(both ? [r.change === 'new' ? '**new**' : r.change === 'gone' ? '**gone**' : r.delta === undefined || r.delta === 0 ? '0' : `**${signed(r.delta)}**`] : []),
      ]),
    );
  }
  const changed = rows.filter((r) => r.change !== undefined && r.change !== 'same').length;
  const title = `Row counts: ${rows.length} table${rows.length === 1 ? '' : 's'}${both ? `, ${changed} changed` : ''}`;
  if (rows.length > OPEN_ROW_COUNTS) return ['<details>', `<summary>${title}</summary>`, '', ...table, '', '</details>', ''];
  return [`### ${title}`, '', ...table, ''];
}

function diffSection(run: RunResult): string[] {
  const diff = run.diff ?? [];
  if (diff.length === 0) return [];
  // GitHub colours `+` lines green, `-` red and `!` orange in a diff block.
  const lines = diff.map((l) => `${{ add: '+', drop: '-', change: '!' }[diffKind(l)]} ${l}`);
  const title = run.command === 'check' ? 'Changes since the baseline' : 'Structural diff, pre → post';
  return ['<details>', `<summary>${title}: ${diff.length} change${diff.length === 1 ? '' : 's'}</summary>`, '', codeBlock(lines.join('\n'), 'diff'), '', '</details>', ''];
}

function commandSection(run: RunResult): string[] {
  const out: string[] = [];
  for (const c of run.commands ?? []) {
    const how = c.signal ? `was killed by ${c.signal}` : `exited ${c.exitCode}`;
    const output = c.output.length > MAX_OUTPUT ? `…${c.output.slice(-MAX_OUTPUT)}` : c.output;
    out.push('<details>', `<summary>Command ${escapeMarkdown(c.command)} ${how} after ${formatDuration(c.durationMs)}</summary>`, '');
    out.push(output.trim() ? codeBlock(output, 'text') : '_no output_', '', '</details>', '');
  }
  return out;
}

function stepSection(run: RunResult): string[] {
  const steps = run.steps ?? [];
  if (steps.length === 0) return [];
  const table = [row(['Step', 'Spec', 'Duration']), row(['---', '---', '---:'])];
  for (const s of steps) table.push(row([escapeMarkdown(s.step), s.spec ? escapeMarkdown(s.spec) : '', formatDuration(s.durationMs)]));
  return ['<details>', `<summary>Step timings</summary>`, '', ...table, '', '</details>', ''];
}

/**
 * The markdown reporter: a pull-request comment or a GitHub job summary (`$GITHUB_STEP_SUMMARY`):
 * the verdict and counts, a verdict table, the failures with expected and actual, row counts,
 * the structural diff folded away, and where and when the run happened.
 */
export const markdownReporter: Reporter = {
  render(run) {
    const verdict = verdictOf(run);
    const words = { passed: 'passed', failed: 'failed', error: 'could not run' }[verdict];
    const out: string[] = [`## ${HEADING[verdict]} pgspec ${run.command} ${words}: ${closingLine(run)}`, ''];
    if (run.error) out.push(`> **Error** (${codeSpan(run.error.code)}): ${escapeMarkdown(run.error.message)}`, '');

    const results = run.specs.flatMap((spec) => spec.results.map((r) => ({ spec, r })));
    if (results.length > 0) {
      out.push(row(['Spec', 'Expectation', 'Phase', 'State', 'Message']), row(['---', '---', '---', ':---:', '---']));
      for (const { spec, r } of results) {
        out.push(row([escapeMarkdown(spec.name), codeSpan(r.object, true), r.phase, ICON[r.state], escapeMarkdown(r.message)]));
      }
      out.push('');
    }

    const problems = problemsOf(run);
    if (problems.length > 0) {
      out.push('### Failures', '');
      for (const { spec, result } of problems) out.push(...failureBlock(spec.file, result));
    }

    out.push(...rowCountSection(run), ...diffSection(run), ...commandSection(run), ...stepSection(run));
    out.push(
      '---',
      '',
      `**Target** ${codeSpan(run.target)} · **Started** ${formatTime(run.startedAt)} · **Duration** ${formatDuration(run.durationMs)} · **pgspec** ${escapeMarkdown(run.pgspecVersion)}`,
    );
    return `${out.join('\n')}\n`;
  },
};
