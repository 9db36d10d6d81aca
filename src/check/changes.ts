import { changeText, type Change } from '../snapshot/diff.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { ChangeDecl } from '../spec/model.ts';
import { matchesQualified, parseColumnName, parseQualified, partMatches, resolvePart, splitName, unqualify, type QualifiedPattern } from '../spec/names.ts';
import type { CheckResult } from './result.ts';
import { canonicalSignature, sameType } from './sql-text.ts';

// `changes` (product.md §3): every declared change must have happened, and every other
// difference between the pre and post states, outside `ignore`, fails with a precise line.

const kindOf = (d: ChangeDecl) => (d.kind === 'materializedView' ? 'materialized view' : d.kind);

/** The declared line as the author would read it back. */
function declText(d: ChangeDecl): string {
  return d.text.trim();
}

function qualifiedPattern(written: string): QualifiedPattern | undefined {
  return parseQualified(written);
}

/** Whether a routine key like `public.f(integer, text)` is named by a written identity. */
function sameRoutine(written: string, key: string): boolean {
  const want = canonicalSignature(written);
  const have = canonicalSignature(key);
  const part = (text: string) => (/[*?]/.test(text) ? resolvePart(text) : { text, glob: false });
  if (!partMatches(part(want.schema ?? 'public'), have.schema ?? '') || !partMatches(part(want.name), have.name)) return false;
  if (!want.args) return true;
  return want.args.length === (have.args?.length ?? 0) && want.args.every((t, i) => sameType(t, have.args![i]!));
}

/** Whether one declared (or ignored) line names one actual change. */
export function declMatches(d: ChangeDecl, c: Change): boolean {
  if (d.verb === 'rows') return c.verb === 'rows' && matchesQualified(qualifiedPattern(d.name)!, c.name);
  if (c.verb === 'rows') return false;
  if (d.verb !== 'any' && d.verb !== c.verb) return false;
  if (kindOf(d) !== c.kind) return false;
  if (d.on !== undefined) {
    const on = qualifiedPattern(d.on);
    if (!on || !c.on || !matchesQualified(on, c.on)) return false;
  }
  switch (c.kind) {
    case 'schema':
    case 'extension':
    case 'role':
    case 'constraint':
    case 'trigger':
    case 'policy':
      return partMatches(resolvePart(d.name), resolvePart(c.name, false).text);
    case 'column': {
      const want = parseColumnName(d.name);
      const parts = splitName(c.name).map((p) => resolvePart(p, false).text);
      return !!want && parts.length === 3 && matchesQualified(want.table, `${splitName(c.name).slice(0, 2).join('.')}`) && partMatches(want.column, parts[2]!);
    }
    case 'function':
    case 'procedure':
      return sameRoutine(d.name, c.name);
    default: {
      const p = qualifiedPattern(d.name);
      return !!p && matchesQualified(p, c.name);
    }
  }
}

/** The table a change belongs to (its `on`, a column's table, an owned sequence's table, a row count's table). */
function ownerTable(c: Change, pre: Snapshot, post: Snapshot): string | undefined {
  if (c.verb === 'rows') return c.name;
  if (c.on) return c.on;
  if (c.kind === 'column') return splitName(c.name).slice(0, 2).join('.');
  if (c.kind === 'sequence') {
    const ownedBy = (post.sequences[c.name] ?? pre.sequences[c.name])?.ownedBy;
    return ownedBy ? splitName(ownedBy).slice(0, 2).join('.') : undefined;
  }
  return undefined;
}

/** The schema a change is in, for `add|drop schema` covering everything inside. */
function schemaOf(c: Change): string | undefined {
  if (c.kind === 'schema' || c.kind === 'extension' || c.kind === 'role') return undefined;
  if (c.kind === 'function' || c.kind === 'procedure') return canonicalSignature(c.name).schema;
  return unqualify(c.on ?? c.name).schema;
}

/** Whether a change is covered by a whole table or schema that a matched line adds, drops or ignores. */
function coveredBy(lines: ChangeDecl[], c: Change, pre: Snapshot, post: Snapshot): boolean {
  const table = ownerTable(c, pre, post);
  const schema = schemaOf(c);
  return lines.some((d) => {
    if (d.verb === 'alter' || d.verb === 'rows') return false;
    if (d.kind === 'table' && table) return matchesQualified(qualifiedPattern(d.name)!, table);
    if (d.kind === 'schema' && schema !== undefined) return partMatches(resolvePart(d.name), schema);
    return false;
  });
}

/** Evaluates a spec's `changes` against the diff of its pre and post states: one result per line, then one for the rest. */
export function evaluateChanges(declared: ChangeDecl[], ignore: ChangeDecl[], diff: Change[], pre: Snapshot, post: Snapshot): CheckResult[] {
  const results: CheckResult[] = [];
  const explained = new Set<Change>();
  for (const d of declared) {
    const matched = diff.filter((c) => declMatches(d, c));
    matched.forEach((c) => explained.add(c));
    const base = { phase: 'changes' as const, kind: 'changes' as const, object: declText(d), ...(d.line ? { line: d.line } : {}) };
    if (matched.length > 0) {
      results.push({ ...base, state: 'passed', message: `${declText(d)}: happened`, matched: matched.map(changeText) });
    } else {
      // Say what did happen to an object of that name, if anything.
      const near = diff.filter((c) => declMatches({ ...d, verb: 'any' }, c));
      results.push({
        ...base,
        state: 'failed',
        message: `declared change did not happen: ${declText(d)}${near.length ? ` (found instead: ${near.map(changeText).join('; ')})` : ''}`,
        expected: declText(d),
        actual: near.length ? near.map(changeText) : 'no such change',
      });
    }
  }
  const declaredWhole = declared.filter((d) => d.verb === 'add' || d.verb === 'drop');
  const unexpected = diff.filter(
    (c) =>
      !explained.has(c) &&
      !ignore.some((i) => declMatches(i, c)) &&
      !coveredBy(declaredWhole.filter((d) => diff.some((x) => x !== c && declMatches(d, x))), c, pre, post) &&
      !coveredBy(ignore, c, pre, post),
  );
  const base = { phase: 'changes' as const, kind: 'changes' as const, object: 'no other changes' };
  results.push(
    unexpected.length === 0
      ? { ...base, state: 'passed', message: 'no changes beyond the declared ones' }
      : {
          ...base,
          state: 'failed',
          message: unexpected.map((c) => `unexpected change: ${changeText(c)}`).join('; '),
          expected: 'no other changes',
          actual: unexpected.map(changeText),
          failures: unexpected.map((c) => ({ object: changeText(c), message: 'not declared in changes' })),
        },
  );
  return results;
}

/** The changes no `ignore` line (nor a table or schema it ignores whole) accounts for. */
export function withoutIgnored(diff: Change[], ignore: ChangeDecl[], pre: Snapshot, post: Snapshot): Change[] {
  return diff.filter((c) => !ignore.some((i) => declMatches(i, c)) && !coveredBy(ignore, c, pre, post));
}
