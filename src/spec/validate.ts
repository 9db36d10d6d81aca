import type { z } from 'zod';
import { SpecError } from '../errors.ts';
import { OBJECT_PRIVILEGES, privilegeList, type PrivilegeObjectKind } from '../check/privileges.ts';
import { NAME_FORM, nameProblem, parseChangeLine, suggestion, type NameForm } from './changes.ts';
import {
  KIND_ORDER,
  KIND_SHAPES,
  SPEC_KEYS,
  entrySchema,
  kindOf,
  type ChangeDecl,
  type Expectation,
  type Kind,
  type Phase,
  type Spec,
} from './model.ts';

// Pure: raw parsed data in, a validated Spec or the first SpecError out. Where things are
// written comes from `locate`, so YAML reports lines and columns while TS/JS specs (which have
// none) report the key path alone. Checks run in the order an author fixes things: shape of
// the file, kind of each entry, its keys, then value types (zod), then the rules zod cannot say.

/** A KeyPath addresses a value in a spec file: `['post', 2, 'exists']`. */
export type KeyPath = (string | number)[];

/** A Location is where a key or value is written (1-based), with a plain scalar's source text. */
export interface Location {
  line: number;
  column: number;
  /** The scalar as written (`1.10`, `20240101120000`), so numbers meant as text keep their spelling. */
  source?: string;
}

/** Locate finds a key (`target: 'key'`) or its value (default) by path, if the file format knows positions. */
export type Locate = (path: KeyPath, target?: 'key' | 'value') => Location | undefined;

/** Top-level keys pgspec ignores, for anchors: `x-common: &common { ... }`. */
export const TEMPLATE_KEY = /^(x-|\.)/;

/** How each kind's name (and its `table`) must be written: the same forms as in `changes` lines. */
const NAME_FORMS: Partial<Record<Kind, NameForm>> = NAME_FORM;

/** Why an identity key is required, for the "needs" message. */
const NEEDS: Record<string, string> = {
  table: 'the table it belongs to',
  references: 'the referenced table, as schema.table(column, ...)',
  columns: 'the referencing columns, as a list',
  role: 'the role that holds the privileges',
  on: 'the object, e.g. "table public.notes"',
  privileges: 'e.g. [select, insert]',
};

const KEYWORDS: Record<string, readonly string[]> = {
  command: ['all', 'select', 'insert', 'update', 'delete'],
  onDelete: ['cascade', 'restrict', 'no action', 'set null', 'set default'],
  onUpdate: ['cascade', 'restrict', 'no action', 'set null', 'set default'],
};

const PRIVILEGE_OBJECTS: Record<string, NameForm> = {
  table: 'qualified',
  view: 'qualified',
  'materialized view': 'qualified',
  materializedview: 'qualified',
  column: 'column',
  schema: 'single',
  sequence: 'qualified',
  function: 'routine',
  procedure: 'routine',
};

/** Validates one parsed spec file; throws the first problem as a SpecError. */
export function validateSpec(raw: unknown, file: string, locate: Locate = () => undefined): Spec {
  return new Validator(file, locate).spec(raw);
}

/** Formats a key path the way messages show it: `post[2].columns.unit_cost.type`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

class Validator {
  constructor(
    private readonly file: string,
    private readonly locate: Locate,
  ) {}

  /** The position of a path, falling back to the nearest enclosing value that has one. */
  where(path: KeyPath, target: 'key' | 'value'): Location | undefined {
    const exact = this.locate(path, target);
    if (exact !== undefined) return exact;
    for (let n = path.length - 1; n >= 0; n--) {
      const loc = this.locate(path.slice(0, n), 'value');
      if (loc !== undefined) return loc;
    }
    return undefined;
  }

  fail(path: KeyPath, detail: string, target: 'key' | 'value' = 'value'): never {
    const loc = this.where(path, target);
    throw new SpecError(this.file, loc?.line, loc?.column, formatPath(path), detail);
  }

  spec(raw: unknown): Spec {
    if (raw === undefined || raw === null) this.fail([], 'the file is empty; a spec needs at least "name: ..."');
    if (!isRecord(raw)) {
      this.fail([], `the top level must be a mapping with "name" and the phases pre, post, always; got ${describeValue(raw)}`);
    }
    for (const key of Object.keys(raw)) {
      // `x-*` and `.*` keys hold YAML anchors for entries to share, as in docker-compose and GitLab CI.
      if (!(SPEC_KEYS as readonly string[]).includes(key) && !TEMPLATE_KEY.test(key)) {
        this.fail([key], `unknown top-level key "${key}"${suggestion(key, SPEC_KEYS)}; expected one of: ${SPEC_KEYS.join(', ')} (or x-... for YAML anchors)`, 'key');
      }
    }
    let name = raw.name;
    if (name === undefined) this.fail([], 'missing required key "name" (what this spec checks, e.g. "name: drop-users-table")');
    if (typeof name === 'number') name = this.locate(['name'])?.source ?? String(name);
    if (typeof name !== 'string' || name.trim() === '') this.fail(['name'], `expected a non-empty string, got ${describeValue(name)}`);
    const description = raw.description ?? undefined;
    if (description !== undefined && typeof description !== 'string') {
      this.fail(['description'], `expected a string, got ${describeValue(description)}`);
    }

    const spec: Spec = {
      name,
      file: this.file,
      pre: this.phase(raw, 'pre'),
      post: this.phase(raw, 'post'),
      always: this.phase(raw, 'always'),
      changes: this.changeLines(raw, 'changes'),
      ignore: this.changeLines(raw, 'ignore'),
    };
    if (description !== undefined) spec.description = description;
    return spec;
  }

  /** A list key: absent or empty (`post:` with every entry commented out) is an empty list. */
  list(raw: Record<string, unknown>, key: string, what: string): unknown[] {
    const value = raw[key] ?? [];
    if (!Array.isArray(value)) this.fail([key], `expected a list of ${what}, got ${describeValue(value)}`);
    return value;
  }

  phase(raw: Record<string, unknown>, phase: Phase): Expectation[] {
    return this.list(raw, phase, 'entries').map((item, index) => {
      const path = [phase, index];
      const { kind, entry } = this.entry(item, path);
      const line = this.locate(path)?.line;
      return { kind, entry, phase, index, ...(line === undefined ? {} : { line }) } as Expectation;
    });
  }

  changeLines(raw: Record<string, unknown>, key: 'changes' | 'ignore'): ChangeDecl[] {
    const example = key === 'changes' ? '"drop table public.users"' : '"table supabase_migrations.*"';
    return this.list(raw, key, `lines such as ${example}`).map((item, index) => {
      const path = [key, index];
      if (typeof item !== 'string') this.fail(path, `expected a line such as ${example}, got ${describeValue(item)}`);
      const parsed = parseChangeLine(item, key, this.locate(path)?.line);
      if (!parsed.ok) this.fail(path, parsed.detail);
      return parsed.decl;
    });
  }

  entry(raw: unknown, path: KeyPath): { kind: Kind; entry: Record<string, unknown> } {
    const kindList = KIND_ORDER.join(', ');
    if (!isRecord(raw)) {
      this.fail(path, `an entry is a mapping such as "table: public.users"; got ${describeValue(raw)}`);
    }
    const keys = Object.keys(raw);
    const kind = kindOf(raw);
    if (kind === undefined) {
      if (keys.length === 0) this.fail(path, `empty entry; an entry starts with a kind key: ${kindList}`);
      for (const key of keys) {
        const hint = suggestion(key, KIND_ORDER);
        if (hint !== '') this.fail([...path, key], `"${key}" is not a kind key${hint}; an entry names its object with one of: ${kindList}`, 'key');
      }
      this.fail(path, `the entry has no kind key (it has ${keys.map((k) => `"${k}"`).join(', ')}); an entry names its object with one of: ${kindList}`);
    }

    const { identityKeys, propKeys, mapShape, mapIdentity, expected, requiredIdentity, requiredInMap } = layoutOf(kind);

    for (const key of keys) {
      if (key === kind || expected.includes(key)) continue;
      const at = [...path, key];
      if (mapIdentity.includes(key)) {
        this.fail(at, `"${key}" belongs inside the ${kind} map: ${kind}: { ${mapIdentity.join(', ')} }`, 'key');
      }
      if ((KIND_ORDER as readonly string[]).includes(key)) {
        this.fail(at, `an entry has two kind keys: "${kind}" and "${key}"; a ${kind} entry takes no "${key}" key`, 'key');
      }
      const list = expected.length === 0 ? `a ${kind} entry takes no other keys` : `expected one of: ${expected.join(', ')}`;
      this.fail(at, `unknown key "${key}" for a ${kind} entry${suggestion(key, expected)}; ${list}`, 'key');
    }

    const inner = raw[kind];
    if (mapShape !== undefined && isRecord(inner)) {
      const innerKeys = Object.keys(mapShape);
      for (const key of Object.keys(inner)) {
        if (!innerKeys.includes(key)) {
          this.fail([...path, kind, key], `unknown key "${key}" in the ${kind} map${suggestion(key, innerKeys)}; expected one of: ${innerKeys.join(', ')}`, 'key');
        }
        if (propKeys.includes(key) && Object.hasOwn(raw, key)) {
          this.fail([...path, key], `"${key}" is given both inside the ${kind} map and beside it; write it once`, 'key');
        }
      }
      for (const key of requiredInMap) {
        if (inner[key] === undefined) {
          this.fail([...path, kind], `the ${kind} map needs "${key}"${NEEDS[key] ? ` (${NEEDS[key]})` : ''}`);
        }
      }
    }
    for (const key of requiredIdentity) {
      if (raw[key] === undefined) {
        this.fail(path, `a ${kind} entry needs "${key}"${NEEDS[key] ? ` (${NEEDS[key]})` : ''}`);
      }
    }

    const schema = entrySchema(kind);
    const normalized = normalize(schema, raw, path, this.locate);
    const parsed = schema.safeParse(normalized);
    if (!parsed.success) this.zodIssue(schema, normalized, path, parsed.error.issues);
    const entry = parsed.data as Record<string, unknown>;
    this.rules(kind, entry, path, identityKeys, mapIdentity);
    return { kind, entry };
  }

  /** Reports the zod issue written first in the file (key order within an entry otherwise). */
  zodIssue(schema: z.ZodType, value: unknown, base: KeyPath, issues: readonly Issue[]): never {
    const explained = issues.map((issue) => explainIssue(schema, value, base, issue));
    const located = explained.map((e) => ({ ...e, loc: this.where(e.path, e.target) }));
    const first = located.reduce((a, b) => (before(b.loc, a.loc) ? b : a));
    throw new SpecError(this.file, first.loc?.line, first.loc?.column, formatPath(first.path), first.detail);
  }

  /** The rules of product.md §3 that the zod shapes do not express. */
  rules(kind: Kind, entry: Record<string, unknown>, path: KeyPath, identityKeys: string[], mapIdentity: string[]): void {
    const inner = isRecord(entry[kind]) ? entry[kind] : undefined;

    // exists: false asserts absence: only the keys that identify the object may accompany it.
    if (entry.exists === false || inner?.exists === false) {
      const allowed = [kind, ...identityKeys.filter((k) => k !== kind)];
      const list = allowed.map((k) => `"${k}"`).join(' and ');
      for (const key of Object.keys(entry)) {
        if (key !== 'exists' && !identityKeys.includes(key)) {
          this.fail([...path, key], `"${key}" cannot be checked with exists: false; only ${list} may accompany it`, 'key');
        }
      }
      for (const key of Object.keys(inner ?? {})) {
        if (key !== 'exists' && !mapIdentity.includes(key)) {
          this.fail([...path, kind, key], `"${key}" cannot be checked with exists: false; only ${mapIdentity.map((k) => `"${k}"`).join(', ')} identify a ${kind}`, 'key');
        }
      }
    }
    if (isRecord(entry.columns) && kind === 'table') {
      for (const [column, props] of Object.entries(entry.columns)) {
        if (!isRecord(props) || props.exists !== false) continue;
        for (const key of Object.keys(props)) {
          if (key !== 'exists') {
            this.fail([...path, 'columns', column, key], `"${key}" cannot be checked with exists: false`, 'key');
          }
        }
      }
    }

    if (kind === 'table' && isRecord(entry.rows)) {
      const { min, max } = entry.rows as { min?: number; max?: number };
      if (min === undefined && max === undefined) this.fail([...path, 'rows'], 'give min, max or both, e.g. { min: 1 }');
      if (min !== undefined && max !== undefined && min > max) this.fail([...path, 'rows'], `min (${min}) is greater than max (${max})`);
    }

    // Keywords the model keeps as free strings: check them here and store the SQL spelling.
    for (const holder of [entry, inner]) {
      if (holder === undefined) continue;
      for (const key of Object.keys(KEYWORDS)) {
        const value = holder[key];
        if (typeof value !== 'string' || (key === 'command' && kind !== 'policy')) continue;
        const word = canonKeyword(value);
        const allowed = KEYWORDS[key]!;
        if (!allowed.includes(word)) {
          const at = holder === entry ? [...path, key] : [...path, kind, key];
          this.fail(at, `expected ${joinOr(allowed.map((w) => `"${w}"`))}, got ${describeValue(value)}${suggestion(word, allowed)}`);
        }
        holder[key] = word;
      }
    }

    this.names(kind, entry, path);
  }

  names(kind: Kind, entry: Record<string, unknown>, path: KeyPath): void {
    const check = (form: NameForm, written: unknown, at: KeyPath, what: string) => {
      if (typeof written !== 'string') return;
      const problem = nameProblem(form, written, what);
      if (problem !== undefined) this.fail(at, problem);
    };
    const form = NAME_FORMS[kind];
    if (form !== undefined) check(form, entry[kind], [...path, kind], `a ${kind === 'materializedView' ? 'materialized view' : kind}`);
    if (['index', 'constraint', 'trigger', 'policy'].includes(kind)) check('qualified', entry.table, [...path, 'table'], 'a table');
    if (kind === 'trigger') check('routine', entry.function, [...path, 'function'], "a trigger's function");

    const inner = entry[kind];
    if (kind === 'foreignKey' && isRecord(inner)) {
      check('qualified', inner.table, [...path, kind, 'table'], 'a table');
      check('references', inner.references, [...path, kind, 'references'], 'a referenced table');
    }
    if (kind === 'privilege' && isRecord(inner) && typeof inner.on === 'string') {
      const at = [...path, kind, 'on'];
      const match = /^\s*(materialized\s+view|\S+)\s+(.+)$/i.exec(inner.on);
      const objectKind = match?.[1]!.toLowerCase().replace(/\s+/g, ' ');
      const objectForm = objectKind === undefined ? undefined : PRIVILEGE_OBJECTS[objectKind];
      if (match === null || objectForm === undefined) {
        this.fail(at, `expected an object reference such as "table public.notes" (table, view, materialized view, column, schema, sequence, function or procedure), got ${describeValue(inner.on)}`);
      }
      check(objectForm, match[2]!.trim(), at, `a ${objectKind}`);
      // Each privilege must be one PostgreSQL knows for that kind of object.
      const allowed = OBJECT_PRIVILEGES[objectKind === 'materializedview' ? 'materialized view' : (objectKind as PrivilegeObjectKind)];
      const written = inner.privileges;
      if (allowed && (typeof written === 'string' || Array.isArray(written))) {
        const bad = privilegeList(written as string[] | string).find((p) => !allowed.includes(p));
        if (bad !== undefined) this.fail([...path, kind, 'privileges'], `"${bad}" is not a privilege of a ${objectKind}; expected ${joinOr(allowed.map((w) => `"${w}"`))}${suggestion(bad, allowed)}`);
      }
    }
  }
}

/** What validating an entry of a kind needs to know of its shape, worked out once per kind. */
interface KindLayout {
  identityKeys: string[];
  propKeys: string[];
  /** The keys of a map-valued kind key (`foreignKey: { table, columns, ... }`). */
  mapShape: Record<string, z.ZodType> | undefined;
  /** The keys of that map that identify the object (not properties that may also stand beside it). */
  mapIdentity: string[];
  /** The keys an entry may have beside the kind key. */
  expected: string[];
  requiredIdentity: string[];
  requiredInMap: string[];
}

const layouts = new Map<Kind, KindLayout>();

function layoutOf(kind: Kind): KindLayout {
  let layout = layouts.get(kind);
  if (layout !== undefined) return layout;
  const shape = KIND_SHAPES[kind];
  const identity = shape.identity as Record<string, z.ZodType>;
  const identityKeys = Object.keys(identity);
  const propKeys = Object.keys(shape.props);
  const mapShape = objectShape(identity[kind]);
  const mapIdentity = mapShape === undefined ? [] : Object.keys(mapShape).filter((k) => !propKeys.includes(k));
  layout = {
    identityKeys,
    propKeys,
    mapShape,
    mapIdentity,
    expected: [...identityKeys.filter((k) => k !== kind), ...propKeys],
    requiredIdentity: identityKeys.filter((k) => !identity[k]!.safeParse(undefined).success),
    requiredInMap: mapIdentity.filter((k) => !mapShape![k]!.safeParse(undefined).success),
  };
  layouts.set(kind, layout);
  return layout;
}

type Issue = z.core.$ZodIssue;

interface Explained {
  path: KeyPath;
  detail: string;
  target: 'key' | 'value';
}

function explainIssue(root: z.ZodType, value: unknown, base: KeyPath, issue: Issue): Explained {
  const rel = issue.path as KeyPath;
  const path = [...base, ...rel];
  const actual = valueAt(value, rel);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const options = Object.keys(objectShape(schemaAt(root, rel)) ?? {});
      return { path: [...path, key], detail: `unknown key "${key}"${suggestion(key, options)}; expected one of: ${options.join(', ')}`, target: 'key' };
    }
    case 'invalid_union': {
      // When every alternative but one fails on the type itself, the remaining one is what the author meant.
      const deeper = issue.errors.filter(
        (branch) => !(branch.length === 1 && branch[0]!.path.length === 0 && ['invalid_type', 'invalid_value'].includes(branch[0]!.code)),
      );
      const only = deeper.length === 1 ? deeper[0]![0] : undefined;
      if (only !== undefined && (only.path.length > 0 || only.code === 'unrecognized_keys' || only.code === 'too_small')) {
        return explainIssue(root, value, base, { ...only, path: [...rel, ...only.path] } as Issue);
      }
      break;
    }
    case 'too_small':
      if (issue.origin === 'array') return { path, detail: `expected at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`, target: 'value' };
      if (issue.origin === 'string') return { path, detail: 'must not be empty', target: 'value' };
      break;
    case 'invalid_type':
    case 'invalid_value':
    case 'too_big':
      break;
    default:
      return { path, detail: issue.message, target: 'value' };
  }
  if (actual === undefined) {
    return { path, detail: `missing required key "${String(rel[rel.length - 1] ?? '')}"`, target: 'value' };
  }
  const schema = schemaAt(root, rel);
  const expected = schema === undefined ? issue.message : joinOr(alternatives(schema));
  return { path, detail: `expected ${expected}, got ${describeValue(actual)}`, target: 'value' };
}

function before(a: Location | undefined, b: Location | undefined): boolean {
  if (a === undefined) return false;
  if (b === undefined) return true;
  return a.line < b.line || (a.line === b.line && a.column < b.column);
}

// --- zod schema introspection (zod 4 `def`), for messages and keyword normalisation ---

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
  entries?: Record<string, string | number>;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let def = defOf(s); (def.type === 'optional' || def.type === 'nullable') && def.innerType; def = defOf(s)) s = def.innerType;
  return s;
}

function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  if (schema === undefined) return undefined;
  const def = defOf(unwrap(schema));
  if (def.type === 'object') return def.shape;
  if (def.type === 'union') {
    for (const option of def.options ?? []) {
      const shape = objectShape(option);
      if (shape !== undefined) return shape;
    }
  }
  return undefined;
}

function child(schema: z.ZodType, step: string | number): z.ZodType | undefined {
  const def = defOf(unwrap(schema));
  switch (def.type) {
    case 'object':
      // Own keys only: a key named like an Object.prototype member (`__proto__`, `toString`) is just unknown.
      return def.shape && Object.hasOwn(def.shape, String(step)) ? def.shape[String(step)] : undefined;
    case 'record':
      return def.valueType;
    case 'array':
      return typeof step === 'number' ? def.element : undefined;
    case 'union':
      for (const option of def.options ?? []) {
        const found = child(option, step);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function schemaAt(schema: z.ZodType, path: KeyPath): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const step of path) s = s === undefined ? undefined : child(s, step);
  return s;
}

function valueAt(value: unknown, path: KeyPath): unknown {
  let v = value;
  for (const step of path) {
    if (Array.isArray(v) && typeof step === 'number') v = v[step];
    else if (isRecord(v)) v = v[String(step)];
    else return undefined;
  }
  return v;
}

/** What a schema accepts, as phrases: `true`, `"before"`, `a non-negative integer`, `a list of strings`. */
function alternatives(schema: z.ZodType): string[] {
  const s = unwrap(schema);
  const def = defOf(s);
  switch (def.type) {
    case 'string':
      return [s.safeParse('').success ? 'a string' : 'a non-empty string'];
    case 'number':
      if (s.safeParse(0.5).success) return ['a number'];
      return [s.safeParse(-1).success ? 'an integer' : 'a non-negative integer'];
    case 'boolean':
      return ['true', 'false'];
    case 'null':
      return ['null'];
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v));
    case 'enum': {
      const values = Object.values(def.entries ?? {}).map(String);
      const canonical = values.filter((v) => canonKeyword(v) === v);
      return (canonical.length > 0 ? canonical : values).map((v) => JSON.stringify(v));
    }
    case 'union':
      return [...new Set((def.options ?? []).flatMap(alternatives))];
    case 'array': {
      if (def.element === undefined || defOf(unwrap(def.element)).type === 'unknown') return ['a list'];
      return [`a list of ${joinOr([...new Set(alternatives(def.element).map(plural))])}`];
    }
    case 'object':
      return [`a mapping (${Object.keys(def.shape ?? {}).join(', ')})`];
    case 'record':
      return ['a mapping'];
    default:
      return ['a value'];
  }
}

/** `a string` -> `strings`, `"insert"` -> `"insert"`: list items in a phrase. */
function plural(phrase: string): string {
  const m = /^an? (.*?)(\b(?:string|integer|number|mapping|list|value))( .*)?$/.exec(phrase);
  return m === null ? phrase : `${m[1]}${m[2]}s${m[3] ?? ''}`;
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** A keyword in SQL spelling: `insteadOf`, `INSTEAD_OF` and `instead of` all give `instead of`. */
function canonKeyword(word: string): string {
  return word
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\s]+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * Brings values into one spelling: keywords in any case, snake or camel case (`BEFORE`,
 * `insteadOf`, `by_default`) become the model's SQL spelling (`before`, `instead of`), and a number where only text fits
 * (`version: 15`, `default: 0`) becomes its source text (`1.10` stays `1.10`). Returns a copy.
 */
function normalize(schema: z.ZodType, value: unknown, path: KeyPath, locate: Locate): unknown {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === 'union') {
    for (const option of def.options ?? []) {
      const fixed = normalize(option, value, path, locate);
      if (option.safeParse(fixed).success) return fixed;
    }
    return value;
  }
  if (def.type === 'object' && isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const sub = def.shape && Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
      out[key] = sub === undefined ? v : normalize(sub, v, [...path, key], locate);
    }
    return out;
  }
  if (def.type === 'record' && isRecord(value) && def.valueType) {
    const valueType = def.valueType;
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, normalize(valueType, v, [...path, key], locate)]));
  }
  if (def.type === 'array' && Array.isArray(value) && def.element) {
    const element = def.element;
    return value.map((v, i) => normalize(element, v, [...path, i], locate));
  }
  // Keywords (enums, literals) take one spelling, even when another accepted one was written (`insteadOf`).
  if (typeof value === 'string' && (def.type === 'enum' || def.type === 'literal')) {
    const canonical = canonKeyword(value);
    if (s.safeParse(canonical).success) return canonical;
  }
  // Only a number can need its source text; anything else is kept as written.
  if (typeof value !== 'number' || s.safeParse(value).success) return value;
  if (s.safeParse(String(value)).success) return locate(path)?.source ?? String(value);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}
