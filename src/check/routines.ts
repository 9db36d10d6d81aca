import type { Routine, Snapshot } from '../snapshot/types.ts';
import type { Expectation } from '../spec/model.ts';
import { partMatches, partMatchesLoosely, resolvePart, type NamePart } from '../spec/names.ts';
import { routinesNamed } from './lookup.ts';
import { evaluateObjects, expectEqual, type EvalContext } from './objects.ts';
import type { CheckResult, Mismatch } from './result.ts';
import { canonicalSignature, canonicalType, sameType } from './sql-text.ts';

type Of<K extends Expectation['kind']> = Extract<Expectation, { kind: K }>;

/** A `searchPath` as written: a list, a comma-separated string (`""` = empty path), or false (not set). */
export function searchPathValue(written: string[] | string | false): string[] | null {
  if (written === false) return null;
  const list = typeof written === 'string' ? written.split(',') : written;
  return list.map((s) => resolvePart(s.trim(), false).text).filter((s) => s !== '');
}

/** Canonical text of a function result: `setof T`, `table(name type, ...)`, or a type. */
export function canonicalReturns(written: string): string {
  const text = written.trim().replace(/\s+/g, ' ');
  const setof = /^setof\s+(.*)$/i.exec(text);
  if (setof) return `setof ${canonicalType(setof[1]!)}`;
  const table = /^table\s*\((.*)\)$/is.exec(text);
  if (table) {
    const cols: string[] = [];
    let depth = 0;
    let current = '';
    for (const ch of table[1]!) {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (ch === ',' && depth === 0) {
        cols.push(current);
        current = '';
      } else current += ch;
    }
    cols.push(current);
    return `table(${cols
      .map((c) => {
        const [name = '', ...type] = c.trim().split(' ');
        return `${resolvePart(name, false).text} ${canonicalType(type.join(' '))}`;
      })
      .join(', ')})`;
  }
  return canonicalType(text);
}

/**
 * PostgreSQL discards the type modifiers of function arguments and results ("numeric(12,2)" is
 * stored as numeric; see CREATE FUNCTION), so modifiers a spec writes there cannot be compared.
 */
const withoutModifiers = (canonical: string) => canonical.replace(/\(\d+(?:,\s*\d+)?\)/g, '');

function sameReturns(written: string, actual: string): boolean {
  const w = withoutModifiers(canonicalReturns(written));
  const a = canonicalReturns(actual);
  return w === a || (!/^(setof |table\()/.test(w) && sameType(w, actual));
}

function routineMismatches(e: Of<'function'>['entry'] | Of<'procedure'>['entry'], r: Routine): Mismatch[] {
  const out: Mismatch[] = [];
  if ('returns' in e && e.returns !== undefined && (r.returns === null || !sameReturns(e.returns, r.returns))) {
    out.push({ property: 'returns', expected: e.returns, actual: r.returns });
  }
  if (e.language !== undefined) out.push(...expectEqual('language', e.language.toLowerCase(), r.language));
  out.push(...expectEqual('securityDefiner', e.securityDefiner, r.securityDefiner));
  if ('volatility' in e) out.push(...expectEqual('volatility', e.volatility, r.volatility));
  if (e.searchPath !== undefined) {
    const want = searchPathValue(e.searchPath);
    if (JSON.stringify(want) !== JSON.stringify(r.searchPath)) {
      out.push({ property: 'searchPath', expected: want ?? false, actual: r.searchPath ?? false, message: `searchPath is ${r.searchPath === null ? 'not set' : `[${r.searchPath.join(', ')}]`}, expected ${want === null ? 'not set' : `[${want.join(', ')}]`}` });
    }
  }
  if (e.owner !== undefined) out.push(...expectEqual('owner', resolvePart(e.owner, false).text, r.owner));
  return out;
}

/** Routines matching a written identity: `schema.name(args)` or `schema.name` (every overload). */
export function findRoutines(s: Snapshot, written: string, kinds: Routine['kind'][], loose: boolean): string[] {
  const sig = canonicalSignature(written);
  // canonicalSignature already folded the names; only globs remain to compile.
  const part = (text: string): NamePart => (/[*?]/.test(text) ? resolvePart(text) : { text, glob: false });
  const schema = part(sig.schema ?? 'public');
  const name = part(sig.name);
  const eq = (p: NamePart, actual: string) => (loose ? partMatchesLoosely : partMatches)(p, actual);
  // A plain name is looked up; only globs read every routine.
  const candidates: [string, Routine][] =
    schema.glob || name.glob
      ? Object.entries(s.routines)
      : routinesNamed(s.routines, schema.text, name.text, loose).map((key) => [key, s.routines[key]!]);
  return candidates
    .filter(([, r]) => kinds.includes(r.kind) && eq(schema, r.schema) && eq(name, r.name))
    .filter(([, r]) => !sig.args || (sig.args.length === r.argTypes.length && sig.args.every((t, i) => sameType(withoutModifiers(t), r.argTypes[i]!))))
    .map(([key]) => key)
    .sort();
}

export function evaluateRoutine(exp: Of<'function'> | Of<'procedure'>, ctx: EvalContext): CheckResult {
  const written = exp.kind === 'function' ? exp.entry.function : exp.entry.procedure;
  const kinds: Routine['kind'][] = exp.kind === 'function' ? ['function', 'aggregate'] : ['procedure'];
  const sig = canonicalSignature(written);
  return evaluateObjects(exp, {
    noun: exp.kind,
    written,
    // Without an argument list the name means every overload, like a glob.
    glob: !sig.args || /[*?]/.test(sig.name) || /[*?]/.test(sig.schema ?? ''),
    exists: exp.entry.exists !== false,
    unchanged: exp.entry.unchanged,
    find: (s, loose) => findRoutines(s, written, kinds, loose),
    entry: (s, key) => s.routines[key],
    check: (key) => routineMismatches(exp.entry, ctx.post.routines[key]!),
    hint: (s) => {
      const other = findRoutines(s, sig.schema ? `${sig.schema}.${sig.name}` : sig.name, kinds, true);
      return other.length > 0 ? `overloads: ${other.join(', ')}` : undefined;
    },
  }, ctx);
}
