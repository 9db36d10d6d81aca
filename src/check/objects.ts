import { diffValues } from '../snapshot/diff.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { Expectation } from '../spec/model.ts';
import { describeMismatch, type CheckResult, type CheckState, type Mismatch, type ObjectFailure } from './result.ts';

/** Thrown by a property check that cannot be evaluated (no row count taken, no pre state): the result is `errored`. */
export class NotEvaluable extends Error {}

/** An EvalContext holds the states an expectation is evaluated against. */
export interface EvalContext {
  post: Snapshot;
  /** The pre state: the gate's pre snapshot or `--baseline`; needed by `preserved` and `unchanged`. */
  pre?: Snapshot;
}

/** An ObjectQuery describes how one kind finds its objects and checks their properties. */
export interface ObjectQuery {
  /** `table`, `policy`, ... as shown in messages. */
  noun: string;
  /** The pattern as the author wrote it, for messages: `public.users`, `"x" on storage.*`. */
  written: string;
  glob: boolean;
  exists: boolean;
  /** Keys (display names) of the objects matching in a snapshot; `loose` ignores case and quoting. */
  find(snapshot: Snapshot, loose: boolean): string[];
  /** The catalog entry of a found object, compared by `unchanged`. */
  entry(snapshot: Snapshot, key: string): unknown;
  /** Property mismatches of one found object in the post state; `at` is its place in `find(post, false)`. */
  check(key: string, at: number): Mismatch[];
  unchanged?: boolean;
  /** A hint when nothing matches, e.g. that a view of that name exists. */
  hint?(snapshot: Snapshot): string | undefined;
}

const plural = (noun: string, n: number) => (n === 1 ? noun : noun.endsWith('x') ? `${noun}es` : noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`);

const matchVerb = (n: number) => (n === 1 ? 'matches' : 'match');

/**
 * A result with its fields in the order every result has (`line` only when known), built as a
 * literal: spreading a base object into each of 10,000 results was the largest single cost of
 * evaluating them (V8 clones a spread source field by field, and results of varying shape).
 */
function result(exp: Expectation, object: string, state: CheckState, message: string): CheckResult {
  return exp.line === undefined
    ? { phase: exp.phase, kind: exp.kind, object, state, message }
    : { phase: exp.phase, kind: exp.kind, object, line: exp.line, state, message };
}

/** Evaluates an object expectation: presence or absence, then properties and `unchanged` on every match. */
export function evaluateObjects(exp: Expectation, q: ObjectQuery, ctx: EvalContext): CheckResult {
  const object = `${q.noun} ${q.written}`;
  const found = q.find(ctx.post, false);

  if (!q.exists) {
    if (found.length === 0) return result(exp, object, 'passed', `${object} does not exist`);
    const message = q.glob
      ? `${found.length} ${plural(q.noun, found.length)} ${matchVerb(found.length)} ${q.written}, expected none: ${found.join(', ')}`
      : `${object} exists, expected it to be absent`;
    return Object.assign(result(exp, object, 'failed', message), { expected: 'absent', actual: found, matched: found });
  }

  if (found.length === 0) {
    const loose = q.find(ctx.post, true);
    const hint = q.hint?.(ctx.post);
    const suggestion = loose.length > 0 ? ` (did you mean ${loose.slice(0, 3).join(', ')}?)` : hint ? ` (${hint})` : '';
    const message = q.glob ? `no ${q.noun} matches ${q.written}${suggestion}` : `${object} does not exist${suggestion}`;
    return Object.assign(result(exp, object, 'failed', message), { expected: 'present', actual: 'absent', matched: [] });
  }

  if (q.unchanged && !ctx.pre) {
    return Object.assign(result(exp, object, 'errored', `${object}: unchanged needs the pre state (--baseline)`), { matched: found });
  }

  // Made at the first failure: most expectations pass.
  let failures: ObjectFailure[] | undefined;
  let mismatchesByObject: Record<string, Mismatch[]> | undefined;
  for (let at = 0; at < found.length; at++) {
    const key = found[at]!;
    let mismatches: Mismatch[];
    try {
      mismatches = q.check(key, at);
    } catch (error) {
      if (!(error instanceof NotEvaluable)) throw error;
      return Object.assign(result(exp, object, 'errored', `${object}: ${error.message}`), { matched: found });
    }
    if (q.unchanged && ctx.pre) mismatches.push(...unchangedMismatches(q, ctx.pre, ctx.post, key));
    if (mismatches.length > 0) {
      (mismatchesByObject ??= {})[key] = mismatches;
      (failures ??= []).push({ object: key, message: mismatches.map(describeMismatch).join('; ') });
    }
  }
  // Objects that matched in the pre state and vanished count among the objects matching the glob.
  let vanished = 0;
  if (q.unchanged && q.glob && ctx.pre) {
    const before = new Set(q.find(ctx.pre, false));
    const after = new Set(found);
    for (const key of before) {
      if (after.has(key)) continue;
      vanished++;
      (failures ??= []).push({ object: key, message: 'vanished (it existed in the pre state)' });
    }
  }

  if (!failures) {
    const passed = result(exp, object, 'passed', q.glob ? `${found.length} ${plural(q.noun, found.length)} ${matchVerb(found.length)} ${q.written}, all as expected` : `${object} as expected`);
    passed.matched = found;
    return passed;
  }
  if (!q.glob && failures.length === 1) {
    const mismatches = mismatchesByObject?.[found[0]!] ?? [];
    const single = mismatches.length === 1 ? mismatches[0]! : undefined;
    return Object.assign(result(exp, object, 'failed', `${object}: ${failures[0]!.message}`), {
      expected: single ? single.expected : Object.fromEntries(mismatches.map((m) => [m.property, m.expected])),
      actual: single ? single.actual : Object.fromEntries(mismatches.map((m) => [m.property, m.actual])),
      matched: found,
      failures,
    });
  }
  const message = `${failures.length} of ${found.length + vanished} ${plural(q.noun, found.length + vanished)} matching ${q.written} failed: ${failures
    .map((f) => `${f.object}: ${f.message}`)
    .join('; ')}`;
  return Object.assign(result(exp, object, 'failed', message), { matched: found, failures });
}

/** `unchanged`: the object's whole catalog entry equals its entry in the pre state. */
function unchangedMismatches(q: ObjectQuery, pre: Snapshot, post: Snapshot, key: string): Mismatch[] {
  const before = q.find(pre, false).includes(key) ? q.entry(pre, key) : undefined;
  if (before === undefined) {
    return [{ property: 'unchanged', expected: 'unchanged', actual: 'new', message: `did not exist in the pre state (it appeared)` }];
  }
  // Messages are one line: a view definition prints over several.
  const changes = diffValues(before, q.entry(post, key)).map((c) => c.replace(/\s+/g, ' ').trim());
  if (changes.length === 0) return [];
  return [
    {
      property: 'unchanged',
      expected: before,
      actual: q.entry(post, key),
      message: `changed since the pre state: ${changes.slice(0, 5).join('; ')}${changes.length > 5 ? `; and ${changes.length - 5} more` : ''}`,
    },
  ];
}

/** A mismatch when two values differ (by ===), else nothing. */
export function expectEqual(property: string, expected: unknown, actual: unknown): Mismatch[] {
  return expected === undefined || expected === actual ? [] : [{ property, expected, actual }];
}

/** expectEqual's mismatch, added to a list (no list made when the values agree, as they mostly do). */
export function pushUnequal(out: Mismatch[], property: string, expected: unknown, actual: unknown): void {
  if (expected !== undefined && expected !== actual) out.push({ property, expected, actual });
}

/** Whether two lists of names are the same, in order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Compares two name sets ignoring order; the message names what is missing and what is extra. */
export function expectSameSet(property: string, expected: string[] | undefined, actual: string[]): Mismatch[] {
  if (expected === undefined) return [];
  // The same names in the same order (the usual pass) need no sets.
  if (sameList(expected, actual)) return [];
  const want = new Set(expected);
  const have = new Set(actual);
  const missing = [...want].filter((x) => !have.has(x));
  const extra = [...have].filter((x) => !want.has(x));
  if (missing.length === 0 && extra.length === 0) return [];
  const parts = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `unexpected ${extra.join(', ')}` : '']
    .filter(Boolean)
    .join(', ');
  return [{ property, expected: [...want].sort(), actual: [...have].sort(), message: `${property} ${parts}` }];
}

/** Keywords as written -> normalised: a spec spells the same few (`before`, `cascade`) thousands of times. */
const keywords = new Map<string, string>();

/** Normalises a keyword as written in a spec: `set_null`, `setNull`, `SET NULL` -> `set null`. */
export function keyword(value: string): string {
  let normal = keywords.get(value);
  if (normal === undefined) {
    normal = value
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .replace(/[_\s]+/g, ' ')
      .trim()
      .toLowerCase();
    // Bounded: a spec of generated keywords must not grow it without end.
    if (keywords.size < 1024) keywords.set(value, normal);
  }
  return normal;
}
