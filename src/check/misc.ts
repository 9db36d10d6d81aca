import semver from 'semver';
import type { Snapshot } from '../snapshot/types.ts';
import type { Expectation } from '../spec/model.ts';
import { isGlob, partMatches, partMatchesLoosely, quoteIfNeeded, resolvePart } from '../spec/names.ts';
import { evaluateObjects, expectEqual, sameList, type EvalContext } from './objects.ts';
import { findQualified, qualified } from './relations.ts';
import type { CheckResult, Mismatch } from './result.ts';

type Of<K extends Expectation['kind']> = Extract<Expectation, { kind: K }>;

/**
 * Keys of a map keyed by one plain name (extensions, roles) matching a written name, quoted when
 * SQL needs it (`"Admin"`), so a suggestion reads as the name must be written; rawName() undoes it.
 */
function findSimple(map: Record<string, unknown>, written: string, loose: boolean): string[] {
  const part = resolvePart(written);
  return Object.keys(map)
    .filter((n) => (loose ? partMatchesLoosely : partMatches)(part, n))
    .sort()
    .map(quoteIfNeeded);
}

/** The catalog name of a key made by findSimple(). */
const rawName = (key: string) => resolvePart(key, false).text;

export function evaluateEnum(exp: Of<'enum'>, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  const pattern = qualified(e.enum);
  return evaluateObjects(exp, {
    noun: 'enum',
    written: e.enum,
    glob: isGlob(pattern),
    exists: e.exists !== false,
    find: (s, loose) => findQualified(s.enums, pattern, loose),
    entry: (s, key) => s.enums[key],
    check: (key) => {
      const labels = ctx.post.enums[key]!.labels;
      return e.labels === undefined || sameList(e.labels, labels)
        ? []
        : [{ property: 'labels', expected: e.labels, actual: labels }];
    },
  }, ctx);
}

export function evaluateExtension(exp: Of<'extension'>, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  return evaluateObjects(exp, {
    noun: 'extension',
    written: e.extension,
    glob: resolvePart(e.extension).glob,
    exists: e.exists !== false,
    find: (s, loose) => findSimple(s.extensions, e.extension, loose),
    entry: (s, key) => s.extensions[rawName(key)],
    check: (key) => {
      const x = ctx.post.extensions[rawName(key)]!;
      return [
        ...expectEqual('version', e.version, x.version),
        ...expectEqual('schema', e.schema === undefined ? undefined : resolvePart(e.schema, false).text, x.schema),
      ];
    },
  }, ctx);
}

export function evaluateRole(exp: Of<'role'>, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  return evaluateObjects(exp, {
    noun: 'role',
    written: e.role,
    glob: resolvePart(e.role).glob,
    exists: e.exists !== false,
    find: (s, loose) => findSimple(s.roles, e.role, loose),
    entry: (s, key) => s.roles[rawName(key)],
    check: (key) => {
      const r = ctx.post.roles[rawName(key)]!;
      const out: Mismatch[] = [...expectEqual('login', e.login, r.login)];
      const missing = (e.memberOf ?? []).map((m) => resolvePart(m, false).text).filter((m) => !r.memberOf.includes(m));
      if (missing.length > 0) out.push({ property: 'memberOf', expected: e.memberOf, actual: r.memberOf, message: `is not a member of ${missing.join(', ')}` });
      return out;
    },
  }, ctx);
}

/** on/off, true/false, yes/no and 1/0 are the same setting value, as PostgreSQL reads them. */
function settingValue(v: string | number | boolean): string {
  const s = String(v).trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(s)) return 'on';
  if (['off', 'false', 'no', '0'].includes(s)) return 'off';
  return s;
}

export function evaluateServer(exp: Of<'server'>, ctx: EvalContext): CheckResult {
  const { version, settings } = exp.entry.server;
  const base = { phase: exp.phase, kind: exp.kind, object: 'server', ...(exp.line === undefined ? {} : { line: exp.line }) };
  const s: Snapshot = ctx.post;
  if (!s.server.version) return { ...base, state: 'errored', message: 'server: this state records no server information' };
  const failures: string[] = [];
  if (version !== undefined) {
    const actual = semver.coerce(s.server.version);
    if (!semver.validRange(version)) return { ...base, state: 'errored', message: `server: version range ${version} is not a valid semver range` };
    if (!actual || !semver.satisfies(actual, version)) failures.push(`version ${s.server.version}, expected ${version}`);
  }
  for (const [name, want] of Object.entries(settings ?? {})) {
    const have = s.server.settings[name.toLowerCase()];
    if (have === undefined) return { ...base, state: 'errored', message: `server: setting ${name} was not recorded in this state` };
    if (settingValue(have) !== settingValue(want)) failures.push(`setting ${name} is ${have}, expected ${want}`);
  }
  return failures.length === 0
    ? { ...base, state: 'passed', message: `server ${s.server.version} as expected` }
    : { ...base, state: 'failed', message: `server: ${failures.join('; ')}`, expected: exp.entry.server, actual: { version: s.server.version, settings: s.server.settings } };
}
