import type { Snapshot } from '../snapshot/types.ts';
import type { Expectation } from '../spec/model.ts';
import { isGlob, parseColumnName, partMatches, partMatchesLoosely, quoteIfNeeded, resolvePart } from '../spec/names.ts';
import type { EvalContext } from './objects.ts';
import { relationsOf, viewsOfKind } from './lookup.ts';
import { findQualified, qualified } from './relations.ts';
import type { CheckResult, ObjectFailure } from './result.ts';
import { findRoutines } from './routines.ts';

type PrivilegeExpectation = Extract<Expectation, { kind: 'privilege' }>;

/** The kinds of object a `privilege.on` reference names, each read with its has_*_privilege function. */
export type PrivilegeObjectKind = 'table' | 'view' | 'materialized view' | 'column' | 'schema' | 'sequence' | 'function' | 'procedure';

/** The privileges PostgreSQL knows for each kind of object (GRANT, and what has_*_privilege accepts). */
export const OBJECT_PRIVILEGES: Record<PrivilegeObjectKind, readonly string[]> = {
  table: ['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'maintain'],
  view: ['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'maintain'],
  'materialized view': ['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'maintain'],
  column: ['select', 'insert', 'update', 'references'],
  sequence: ['usage', 'select', 'update'],
  schema: ['usage', 'create'],
  function: ['execute'],
  procedure: ['execute'],
};

/** Splits `privilege.on` (`table public.notes`, `materialized view m`) into its kind and name; undefined when it is not one. */
export function parseObjectRef(on: string): { kind: PrivilegeObjectKind; name: string } | undefined {
  const m = /^\s*(materialized\s+view|materializedView|\S+)\s+(.+?)\s*$/i.exec(on);
  if (!m) return undefined;
  const word = m[1]!.toLowerCase().replace(/\s+/g, ' ');
  const kind = (word === 'materializedview' ? 'materialized view' : word) as PrivilegeObjectKind;
  return Object.hasOwn(OBJECT_PRIVILEGES, kind) ? { kind, name: m[2]! } : undefined;
}

/** A PrivilegeNeed is one `privilege` entry as the capture reads it: the role's catalog name, the reference, the privileges. */
export interface PrivilegeNeed {
  /** The role's catalog name (folded); `public` is the PUBLIC pseudo-role. */
  role: string;
  /** The object reference as written. */
  on: string;
  /** Privilege names, lower case. */
  privileges: string[];
}

/** The privileges of an entry as a list: `[select, insert]`, or `"select, insert"`. */
export function privilegeList(written: string[] | string): string[] {
  const list = typeof written === 'string' ? written.split(',') : written;
  return [...new Set(list.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))];
}

export function privilegeNeed(p: { role: string; on: string; privileges: string[] | string }): PrivilegeNeed {
  return { role: resolvePart(p.role, false).text, on: p.on, privileges: privilegeList(p.privileges) };
}

/**
 * The objects a reference matches in a snapshot, as references with the snapshot's own key:
 * `table public.notes`, `column public.notes.body`, `function public.f(integer)`. Names follow
 * the spec naming rules and may be globs; `loose` ignores case and quoting (for suggestions).
 */
export function findPrivilegeObjects(s: Snapshot, on: string, loose: boolean): string[] {
  const ref = parseObjectRef(on);
  if (!ref) return [];
  const prefix = (keys: string[]) => keys.map((k) => `${ref.kind} ${k}`);
  switch (ref.kind) {
    case 'table':
      return prefix(findQualified(s.tables, qualified(ref.name), loose));
    case 'view':
    case 'materialized view': {
      const kind = ref.kind === 'view' ? 'view' : 'materializedView';
      return prefix(findQualified(viewsOfKind(s, kind), qualified(ref.name), loose));
    }
    case 'sequence':
      return prefix(findQualified(s.sequences, qualified(ref.name), loose));
    case 'schema': {
      const part = resolvePart(ref.name);
      return prefix(Object.keys(s.schemas).filter((n) => (loose ? partMatchesLoosely : partMatches)(part, n)).sort().map(quoteIfNeeded));
    }
    case 'column': {
      const parsed = parseColumnName(ref.name);
      if (!parsed) return [];
      const rels: Record<string, { columns: Record<string, unknown> }> = relationsOf(s);
      const match = loose ? partMatchesLoosely : partMatches;
      return prefix(
        findQualified(rels, parsed.table, loose).flatMap((rel) =>
          Object.keys(rels[rel]!.columns)
            .filter((c) => match(parsed.column, c))
            .sort()
            .map((c) => `${rel}.${quoteIfNeeded(c)}`),
        ),
      );
    }
    case 'function':
      return prefix(findRoutines(s, ref.name, ['function', 'aggregate'], loose));
    case 'procedure':
      return prefix(findRoutines(s, ref.name, ['procedure'], loose));
  }
}

/** The key a privilege record is stored under in a snapshot: `anon on table public.notes`. */
export function privilegeKey(role: string, ref: string): string {
  return `${role === 'public' ? 'public' : quoteIfNeeded(role)} on ${ref}`;
}

/** Whether a reference matches several objects (a glob, or a function written without its arguments). */
function isPattern(on: string): boolean {
  const ref = parseObjectRef(on);
  if (!ref) return false;
  if (ref.kind === 'function' || ref.kind === 'procedure') return !ref.name.includes('(') || /[*?]/.test(ref.name);
  if (ref.kind === 'column') return /[*?]/.test(ref.name);
  if (ref.kind === 'schema') return resolvePart(ref.name).glob;
  return isGlob(qualified(ref.name));
}

const verdict = (granted: boolean) => (granted ? 'granted' : 'not granted');

/**
 * `privilege`: the role holds every listed privilege on the object (`granted: true`, the
 * default), or none of them (`granted: false`), as the has_*_privilege functions say: through
 * a direct grant, PUBLIC or a role it inherits from. Row level security is a separate matter
 * (policies decide which rows a granted SELECT sees; test that with a `query` run `as` the role).
 */
export function evaluatePrivilege(exp: PrivilegeExpectation, ctx: EvalContext): CheckResult {
  const p = exp.entry.privilege;
  const granted = p.granted ?? exp.entry.granted ?? true;
  const need = privilegeNeed(p);
  const object = `privilege ${p.role} ${need.privileges.join(', ')} on ${p.on}`;
  const base = { phase: exp.phase, kind: exp.kind, object, ...(exp.line === undefined ? {} : { line: exp.line }) };
  const errored = (message: string, matched?: string[]): CheckResult => ({ ...base, state: 'errored', message: `${object}: ${message}`, ...(matched ? { matched } : {}) });

  const refs = findPrivilegeObjects(ctx.post, p.on, false);
  if (refs.length === 0) {
    const loose = findPrivilegeObjects(ctx.post, p.on, true);
    const suggestion = loose.length > 0 ? ` (did you mean ${loose.slice(0, 3).join(', ')}?)` : '';
    return errored(isPattern(p.on) ? `nothing matches ${p.on}${suggestion}` : `${p.on} does not exist${suggestion}`, []);
  }
  const failures: ObjectFailure[] = [];
  const actual: Record<string, Record<string, boolean>> = {};
  for (const ref of refs) {
    const record = ctx.post.privileges[privilegeKey(need.role, ref)];
    if (record === undefined) return errored('not recorded in this state (a snapshot holds privileges only when taken with pgspec snapshot --spec)', refs);
    if (typeof record.error === 'string') return errored(record.error, refs);
    const held = record as Record<string, boolean>;
    const missing = need.privileges.filter((priv) => typeof held[priv] !== 'boolean');
    if (missing.length > 0) return errored(`${missing.join(', ')} not recorded in this state`, refs);
    actual[ref] = Object.fromEntries(need.privileges.map((priv) => [priv, held[priv]!]));
    const wrong = need.privileges.filter((priv) => held[priv] !== granted);
    if (wrong.length === 0) continue;
    // One privilege: "granted, expected not granted"; several: name the ones that differ.
    const which = need.privileges.length === 1 ? '' : `${wrong.join(', ')} `;
    failures.push({ object: ref, message: `${which}${verdict(!granted)}, expected ${verdict(granted)}` });
  }
  const pattern = isPattern(p.on);
  if (failures.length === 0) {
    return {
      ...base,
      state: 'passed',
      message: pattern ? `${object}: ${verdict(granted)} on ${refs.length} matching object${refs.length === 1 ? '' : 's'}, as expected` : `${object}: ${verdict(granted)}, as expected`,
      matched: refs,
    };
  }
  return {
    ...base,
    state: 'failed',
    message: pattern
      ? `${object}: ${failures.map((f) => `${f.object.replace(/^\S+( view)? /, '')} ${f.message}`).join('; ')}`
      : `${object}: ${failures[0]!.message}`,
    expected: granted ? 'granted' : 'not granted',
    actual,
    matched: refs,
    failures,
  };
}
