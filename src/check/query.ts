import type { QueryResult } from '../snapshot/types.ts';
import type { Expectation } from '../spec/model.ts';
import type { EvalContext } from './objects.ts';
import type { CheckResult } from './result.ts';

type QueryExpectation = Extract<Expectation, { kind: 'query' }>;

/** The key a query's recorded result is stored under: its text, and the role and claims it runs as. */
export function queryKey(sql: string, as?: { role: string; claims?: Record<string, unknown> }): string {
  const text = sql.trim().replace(/;\s*$/, '');
  return as ? `${text}\n-- as ${JSON.stringify({ role: as.role, claims: as.claims ?? {} })}` : text;
}

/** A number as text: how bigint and numeric results arrive, and how a YAML `equals: 10` reaches the evaluator. */
const NUMERIC_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Values compare as a person reads them: 0 = "0" (bigint arrives as text), 10 = "10.00" (numeric), true = "t". */
export function sameValue(expected: unknown, actual: unknown): boolean {
  if (expected === null || actual === null) return expected === actual;
  if (typeof expected === 'number') return Number(actual) === expected;
  if (typeof expected === 'boolean') return actual === expected || String(actual) === (expected ? 't' : 'f') || String(actual) === String(expected);
  if (typeof expected === 'object') return JSON.stringify(expected) === JSON.stringify(actual);
  if (String(actual) === String(expected) || (typeof actual === 'object' && JSON.stringify(actual) === expected)) return true;
  // The spec loader keeps a number written where text is allowed as its source text (`equals: 10` is "10"):
  // such a number still compares by value with a numeric result.
  const isNumber = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && NUMERIC_TEXT.test(v));
  return isNumber(expected) && isNumber(actual) && Number(expected) === Number(actual);
}

/** A value in a message: numbers bare (whether they arrived as text or not), everything else as JSON. */
const shown = (v: unknown) => (typeof v === 'string' && NUMERIC_TEXT.test(v) ? v : JSON.stringify(v));

function sameRow(expected: unknown, columns: string[], row: unknown[]): boolean {
  if (Array.isArray(expected)) return expected.length === row.length && expected.every((v, i) => sameValue(v, row[i]));
  const obj = expected as Record<string, unknown>;
  return Object.keys(obj).length === columns.length && columns.every((c, i) => c in obj && sameValue(obj[c], row[i]));
}

const preview = (r: Extract<QueryResult, { ok: true }>) =>
  JSON.stringify(r.rows.slice(0, 5).map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])))) + (r.rows.length > 5 ? ` and ${r.rows.length - 5} more` : '');

const rowsText = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

export function evaluateQuery(exp: QueryExpectation, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  const key = queryKey(e.query, e.as);
  const short = e.query.trim().replace(/\s+/g, ' ');
  const object = `query ${short.length > 60 ? `${short.slice(0, 57)}...` : short}${e.as ? ` as ${e.as.role}` : ''}`;
  const base = { phase: exp.phase, kind: exp.kind, object, ...(exp.line === undefined ? {} : { line: exp.line }) };
  const result = ctx.post.queries[key];
  if (!result) return { ...base, state: 'errored', message: `${object}: no result recorded (a snapshot holds no data unless taken with --spec)` };
  if (!result.ok) return { ...base, state: 'errored', message: `${object}: ${result.error}` };
  const failures: { message: string; expected: unknown; actual: unknown }[] = [];
  if (e.equals !== undefined) {
    const value = result.rows.length === 1 && result.columns.length >= 1 ? result.rows[0]![0] : undefined;
    if (result.rows.length !== 1) failures.push({ message: `returned ${rowsText(result.rows.length)}, expected one row with ${shown(e.equals)}`, expected: e.equals, actual: result.rows.length });
    else if (!sameValue(e.equals, value)) failures.push({ message: `returned ${shown(value)}, expected ${shown(e.equals)}`, expected: e.equals, actual: value });
  }
  if (e.count !== undefined && result.rows.length !== e.count) failures.push({ message: `returned ${rowsText(result.rows.length)}, expected ${e.count}`, expected: e.count, actual: result.rows.length });
  if (e.empty !== undefined && (result.rows.length === 0) !== e.empty) {
    failures.push({ message: e.empty ? `returned ${rowsText(result.rows.length)}, expected none: ${preview(result)}` : 'returned no rows, expected some', expected: e.empty ? 0 : '>= 1', actual: result.rows.length });
  }
  if (e.rows !== undefined) {
    const ok = e.rows.length === result.rows.length && e.rows.every((r, i) => sameRow(r, result.columns, result.rows[i]!));
    if (!ok) failures.push({ message: `returned ${preview(result)}, expected ${JSON.stringify(e.rows)}`, expected: e.rows, actual: result.rows });
  }
  if (e.preserved) {
    const before = ctx.pre?.queries[key];
    if (!ctx.pre) return { ...base, state: 'errored', message: `${object}: preserved needs the pre state (--baseline)` };
    if (!before) return { ...base, state: 'errored', message: `${object}: the pre state has no result for this query` };
    if (!before.ok) return { ...base, state: 'errored', message: `${object}: in the pre state: ${before.error}` };
    if (JSON.stringify(before.rows) !== JSON.stringify(result.rows) || JSON.stringify(before.columns) !== JSON.stringify(result.columns)) {
      failures.push({ message: `result changed: before ${preview(before)}, now ${preview(result)}`, expected: before.rows, actual: result.rows });
    }
  }
  if (failures.length === 0) return { ...base, state: 'passed', message: `${object} as expected` };
  const only = failures.length === 1 ? failures[0]! : undefined;
  return {
    ...base,
    state: 'failed',
    message: `${object}: ${failures.map((f) => f.message).join('; ')}`,
    expected: only ? only.expected : failures.map((f) => f.expected),
    actual: only ? only.actual : failures.map((f) => f.actual),
  };
}
