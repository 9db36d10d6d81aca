// Small presentation helpers shared by the markdown, html, github and tap reporters.
import type { CheckResult } from '../check/result.ts';
import type { RunResult } from '../run/result.ts';

/** A Verdict is the outcome of a whole run: every expectation passed, some did not, or the run could not be carried out. */
export type Verdict = 'passed' | 'failed' | 'error';

/** The verdict of a run, as exitCodeOf() decides it (3 error, 1 failed, 0 passed). */
export function verdictOf(run: RunResult): Verdict {
  if (run.error) return 'error';
  return run.summary.failed > 0 || run.summary.errored > 0 ? 'failed' : 'passed';
}

/** A duration for people: `850 ms`, `6.7 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** A start time in UTC, so that a report reads the same wherever it is rendered: `2026-11-22 02:42:22 UTC`. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Where an expectation is written: `file:line`, or the file alone when the line is unknown. */
export const locationOf = (file: string, r: CheckResult) => (r.line ? `${file}:${r.line}` : file);

/** A value as expected/actual show it: JSON, indented when it is an object. */
export function pretty(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** A RowCount is one table of the row-count table; a side is absent when that state was not counted. */
export interface RowCount {
  table: string;
  pre?: number;
  post?: number;
  /** post - pre, when the table was counted in both states. */
  delta?: number;
  /** With both states counted: whether the table's count changed, or the table is new or gone. */
  change?: 'same' | 'changed' | 'new' | 'gone';
}

/** The row-count table of a run: every table counted in either state, by name, and which states were counted. */
export function rowCountsOf(run: RunResult): { rows: RowCount[]; hasPre: boolean; hasPost: boolean } {
  const pre = run.rowCounts?.pre;
  const post = run.rowCounts?.post;
  const hasPre = !!pre && Object.keys(pre).length > 0;
  const hasPost = !!post && Object.keys(post).length > 0;
  const names = [...new Set([...Object.keys(pre ?? {}), ...Object.keys(post ?? {})])].sort();
  const rows = names.map((table): RowCount => {
    const a = pre?.[table];
    const b = post?.[table];
    const change = a === undefined ? 'new' : b === undefined ? 'gone' : a === b ? 'same' : 'changed';
    return {
      table,
      ...(a !== undefined ? { pre: a } : {}),
      ...(b !== undefined ? { post: b } : {}),
      ...(a !== undefined && b !== undefined ? { delta: b - a } : {}),
      ...(hasPre && hasPost ? { change } : {}),
    };
  });
  return { rows, hasPre, hasPost };
}

/** A signed delta: `+3`, `-12`, `0`. */
export const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** What one structural-diff line does, from its leading verb (`add ...`, `drop ...`, `alter ...`, `rows ...`). */
export function diffKind(line: string): 'add' | 'drop' | 'change' {
  const verb = line.trimStart().split(/\s/, 1)[0];
  return verb === 'add' || verb === '+' ? 'add' : verb === 'drop' || verb === '-' ? 'drop' : 'change';
}

/** The sign a unified diff would give a structural-diff line. */
export const diffSign = (line: string) => ({ add: '+', drop: '-', change: '~' })[diffKind(line)];

/** Results that did not pass, with their spec. */
export function problemsOf(run: RunResult): { spec: RunResult['specs'][number]; result: CheckResult }[] {
  return run.specs.flatMap((spec) => spec.results.filter((r) => r.state !== 'passed').map((result) => ({ spec, result })));
}
