import { isDeepStrictEqual } from 'node:util';
import { loadModule, parseSync } from 'libpg-query';

/** The JSON shape of a libpg-query parse tree. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

let loading: Promise<void> | undefined;
let ready = false;

/** Loads PostgreSQL's parser (WASM) once; every other export needs it and is synchronous afterwards. */
export async function initSqlParser(): Promise<void> {
  loading ??= loadModule().then(
    () => {
      ready = true;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  await loading;
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asList = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

/** The node of a `{ Kind: body }` wrapper, when it is of that kind. */
const nodeOf = (value: Json | undefined, kind: string): JsonObject | undefined => {
  const body = isObject(value) ? value[kind] : undefined;
  return isObject(body) ? body : undefined;
};

const stringOf = (value: Json | undefined): string | undefined => {
  const sval = nodeOf(value, 'String')?.sval;
  return typeof sval === 'string' ? sval : undefined;
};

/** Parses `SELECT <expr>` and returns the single target's value, or undefined unless it is exactly one bare expression. */
function parseExpression(expr: string): Json | undefined {
  if (!ready) throw new Error('the SQL parser is not loaded: await initSqlParser() first');
  let tree: Json;
  try {
    tree = parseSync(`SELECT ${expr}`) as Json;
  } catch {
    return undefined;
  }
  const stmts = isObject(tree) ? asList(tree.stmts) : [];
  const first = stmts[0];
  const select = stmts.length === 1 && isObject(first) ? nodeOf(first.stmt, 'SelectStmt') : undefined;
  // Anything beyond the target list (FROM, WHERE, a second statement, an alias) means the text was not one expression.
  if (!select || Object.keys(select).some((key) => !['targetList', 'limitOption', 'op'].includes(key))) return undefined;
  const targets = asList(select.targetList);
  const target = targets.length === 1 ? nodeOf(targets[0], 'ResTarget') : undefined;
  if (!target || target.name !== undefined) return undefined;
  return target.val;
}

const fallbackText = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

// PostgreSQL 17's non-unreserved keywords (pg_get_keywords() with catcode <> 'U'): quote_identifier quotes these.
const KEYWORDS = new Set(
  `all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast
  char character check coalesce collate collation column concurrently constraint create cross current_catalog
  current_date current_role current_schema current_time current_timestamp current_user dec decimal default deferrable
  desc distinct do else end except exists extract false fetch float for foreign freeze from full grant greatest group
  grouping having ilike in initially inner inout int integer intersect interval into is isnull join json json_array
  json_arrayagg json_exists json_object json_objectagg json_query json_scalar json_serialize json_table json_value
  lateral leading least left like limit localtime localtimestamp merge_action national natural nchar none normalize
  not notnull null nullif numeric offset on only or order out outer overlaps overlay placing position precision primary
  real references returning right row select session_user setof similar smallint some substring symmetric system_user
  table tablesample then time timestamp to trailing treat trim true union unique user using values varchar variadic
  verbose when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi
  xmlroot xmlserialize xmltable`.split(/\s+/),
);

/** An identifier as quote_identifier() prints it. */
const quoteIdent = (name: string) =>
  /^[a-z_][a-z0-9_]*$/.test(name) && !KEYWORDS.has(name) ? name : `"${name.replace(/"/g, '""')}"`;

// pg_catalog types format_type() spells specially and that take no modifiers.
const FIXED_NAMES: Record<string, string> = {
  bool: 'boolean', int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision',
  json: 'json', char: '"char"',
};

// intervaltypmodout's field names, keyed by the range bit mask the grammar stores as the first modifier.
const INTERVAL_FIELDS: Record<number, string> = {
  4: ' year', 2: ' month', 8: ' day', 1024: ' hour', 2048: ' minute', 4096: ' second', 6: ' year to month',
  1032: ' day to hour', 3080: ' day to minute', 7176: ' day to second', 3072: ' hour to minute',
  7168: ' hour to second', 6144: ' minute to second', 32767: '',
};

const typmodOf = (mod: Json): number | string => {
  const constant = nodeOf(mod, 'A_Const');
  if (constant) {
    if (isObject(constant.ival)) return Number(constant.ival.ival ?? 0);
    const text = isObject(constant.sval) ? constant.sval.sval : isObject(constant.fval) ? constant.fval.fval : undefined;
    return typeof text === 'string' ? text : '?';
  }
  const column = nodeOf(mod, 'ColumnRef');
  return column ? asList(column.fields).map((f) => stringOf(f) ?? '*').join('.') : '?';
};

/** format_type()'s spelling of a pg_catalog type with the given modifiers. */
function builtinType(name: string, mods: (number | string)[]): string {
  const [first, second] = mods;
  const paren = first === undefined ? '' : `(${first})`;
  switch (name) {
    case 'bpchar': return first === undefined ? 'bpchar' : `character${paren}`;
    case 'varchar': return `character varying${paren}`;
    case 'bit': return first === undefined ? '"bit"' : `bit${paren}`;
    case 'varbit': return `bit varying${paren}`;
    case 'numeric': return first === undefined ? 'numeric' : `numeric(${first},${second ?? 0})`;
    case 'time': return `time${paren} without time zone`;
    case 'timetz': return `time${paren} with time zone`;
    case 'timestamp': return `timestamp${paren} without time zone`;
    case 'timestamptz': return `timestamp${paren} with time zone`;
    case 'interval': {
      if (first === undefined) return 'interval';
      const fields = typeof first === 'number' ? INTERVAL_FIELDS[first] : undefined;
      const precision = second === undefined || second === 0xffff ? '' : `(${second})`;
      return `interval${fields ?? `(${first})`}${precision}`;
    }
  }
  return (FIXED_NAMES[name] ?? quoteIdent(name)) + (mods.length ? `(${mods.join(',')})` : '');
}

/** Renders a TypeName node the way format_type() prints it with an empty search_path. */
function renderType(typeName: JsonObject, defaultSchema?: string): string {
  let names = asList(typeName.names).map((n) => stringOf(n) ?? '');
  if (names[0] === 'pg_catalog' && names.length === 2) names = names.slice(1);
  else if (defaultSchema !== undefined && names.length === 1) names = [defaultSchema, ...names];
  const mods = asList(typeName.typmods).map(typmodOf);
  let array = asList(typeName.arrayBounds).length > 0;
  const last = names[names.length - 1] ?? '';
  // Array types are named _elem in the catalog; format_type prints them as elem[].
  if (!array && last.length > 1 && last.startsWith('_')) {
    names = [...names.slice(0, -1), last.slice(1)];
    array = true;
  }
  const base = names.length === 1
    ? builtinType(names[0] ?? '', mods)
    : names.map(quoteIdent).join('.') + (mods.length ? `(${mods.join(',')})` : '');
  return `${typeName.setof === true ? 'setof ' : ''}${base}${array ? '[]' : ''}`;
}

/** The TypeName of `NULL::<written>`, or undefined when the text is not exactly one type. */
function parseType(written: string): JsonObject | undefined {
  const cast = nodeOf(parseExpression(`NULL::${written}`), 'TypeCast');
  const arg = cast ? nodeOf(cast.arg, 'A_Const') : undefined;
  return arg?.isnull === true && isObject(cast?.typeName) ? cast.typeName : undefined;
}

/**
 * Remembers the results of a pure function of a text: a spec repeats the same types and
 * expressions, and a snapshot the same column types, so each is parsed once (a parse is a call
 * into the WASM parser). Bounded: emptied when it grows past `limit` entries.
 */
function memoized<T>(fn: (text: string) => T, limit = 20_000): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    // One lookup on a hit (a value of undefined, a text that does not parse, needs the second).
    const known = cache.get(text);
    if (known !== undefined || cache.has(text)) return known as T;
    const value = fn(text);
    if (cache.size >= limit) cache.clear();
    cache.set(text, value);
    return value;
  };
}

/** The canonical spelling of a type, as PostgreSQL's format_type() prints it with an empty search_path. */
export const canonicalType: (written: string) => string = memoized((written) => {
  const typeName = parseType(written);
  return typeName ? renderType(typeName) : fallbackText(written);
});

/** The spellings a spec's type may mean: as written, and (unqualified) public's; or its fallback text when it does not parse. */
const specTypeSpellings = memoized((written): { parsed: true; plain: string; inPublic: string } | { parsed: false; text: string } => {
  const typeName = parseType(written);
  return typeName ? { parsed: true, plain: renderType(typeName), inPublic: renderType(typeName, 'public') } : { parsed: false, text: fallbackText(written) };
});

/** Whether a spec's type means the actual (format_type-printed) type; an unqualified spec name may also mean public's. */
export function sameType(specWritten: string, actual: string): boolean {
  // A type written as PostgreSQL prints it is that type: no call into the parser.
  if (specWritten === actual) return true;
  const canonicalActual = canonicalType(actual);
  const spec = specTypeSpellings(specWritten);
  if (!spec.parsed) return spec.text === canonicalActual;
  return spec.plain === canonicalActual || spec.inPublic === canonicalActual;
}

/** Splits on a separator at parenthesis depth 0, outside double-quoted identifiers. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

/** The index of a character's first occurrence outside double-quoted identifiers, or -1. */
function indexOutsideQuotes(text: string, char: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === char) return i;
  }
  return -1;
}

/** Folds one identifier the way PostgreSQL does: quoted is exact, unquoted is lower case. */
const foldIdent = (part: string) =>
  /^".*"$/s.test(part) ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase();

/** One argument's canonical type, with its mode, default and (when present) name removed; undefined for OUT arguments. */
function argumentType(written: string): string | undefined {
  let text = written.replace(/\s+default\s[\s\S]*$|\s*=[\s\S]*$/i, '').trim();
  const mode = /^(in|out|inout|variadic)\s+/i.exec(text);
  if (mode) {
    // OUT arguments are not part of a function's identity.
    if (mode[1]?.toLowerCase() === 'out') return undefined;
    text = text.slice(mode[0].length);
  }
  if (parseType(text)) return canonicalType(text);
  const named = /^("(?:[^"]|"")*"|[^\s"]+)\s+([\s\S]+)$/.exec(text);
  return named?.[2] !== undefined && parseType(named[2]) ? canonicalType(named[2]) : canonicalType(text);
}

/** Parses a function identity `schema.name(argtype, ...)`; args is undefined when no parentheses were written (all overloads). */
export function canonicalSignature(written: string): { schema: string | undefined; name: string; args: string[] | undefined } {
  const text = written.trim();
  const open = indexOutsideQuotes(text, '(');
  const close = text.lastIndexOf(')');
  const hasArgs = open >= 0 && close > open;
  const parts = splitTopLevel(hasArgs ? text.slice(0, open) : text, '.').map(foldIdent);
  const name = parts.pop() ?? '';
  const schema = parts.pop();
  if (!hasArgs) return { schema, name, args: undefined };
  const inner = text.slice(open + 1, close).trim();
  const args = inner === '' ? [] : splitTopLevel(inner, ',').map(argumentType).filter((t) => t !== undefined);
  return { schema, name, args };
}

/** Drops a leading pg_catalog or public from a name list: an unqualified name means one of those. */
const unqualified = (names: Json | undefined): Json[] => {
  const list = asList(names);
  const first = stringOf(list[0]);
  return list.length > 1 && (first === 'pg_catalog' || first === 'public') ? list.slice(1) : list;
};

const opName = (name: string): Json[] => [{ String: { sval: name } }];

/** A literal's value as text: the parser's numbers and PostgreSQL's quoted literals (`'-1'::integer`) then compare equal. */
function constant(body: JsonObject): JsonObject {
  if (body.isnull === true) return { isnull: true };
  const value = isObject(body.ival) ? String(body.ival.ival ?? 0)
    : isObject(body.fval) ? body.fval.fval
    : isObject(body.sval) ? body.sval.sval
    : isObject(body.boolval) ? String(body.boolval.boolval ?? false)
    : isObject(body.bsval) ? body.bsval.bsval
    : null;
  return { value: value ?? null };
}

function normalizeNode(kind: string, raw: JsonObject): Json {
  if (kind === 'A_Const') return { A_Const: constant(raw) };
  const body = normalizeFields(raw);
  switch (kind) {
    case 'TypeCast': {
      let arg = body.arg;
      const type = body.typeName;
      const literal = nodeOf(arg, 'A_Const');
      // Stored defaults print `nextval('public.s'::regclass)` (empty search_path); a spec writes `nextval('s')`.
      if (type === 'regclass' && typeof literal?.value === 'string') {
        arg = { A_Const: { value: literal.value.replace(/^public\./, '') } };
      }
      // PostgreSQL adds casts to literals, function results and arrays, and relabels varchar/char to text for
      // operators (`(status)::text = ...`); those casts carry no meaning a spec author writes.
      const implicit = ['A_Const', 'FuncCall', 'A_ArrayExpr'].some((k) => nodeOf(arg, k)) || type === 'text' || type === 'text[]';
      return implicit ? (arg ?? null) : { TypeCast: { ...body, arg: arg ?? null } };
    }
    case 'BoolExpr': {
      const args = asList(body.args).flatMap((arg) => {
        const inner = nodeOf(arg, 'BoolExpr');
        return inner && inner.boolop === body.boolop && body.boolop !== 'NOT_EXPR' ? asList(inner.args) : [arg];
      });
      return { BoolExpr: { ...body, args } };
    }
    case 'A_Expr':
      return normalizeAExpr(body);
    case 'FuncCall':
      return { FuncCall: { ...body, funcname: unqualified(body.funcname) } };
    case 'RangeVar': {
      const { schemaname, ...rest } = body;
      return { RangeVar: schemaname === 'public' || schemaname === 'pg_catalog' ? rest : body };
    }
    case 'SubLink': {
      // pg_get_expr names a sublink's output column (`SELECT auth.uid() AS uid`); the name cannot change the value.
      const select = nodeOf(body.subselect, 'SelectStmt');
      const targetList = asList(select?.targetList).map((target) => {
        const res = nodeOf(target, 'ResTarget');
        if (!res) return target;
        const { name: _name, ...rest } = res;
        return { ResTarget: rest };
      });
      const subselect = select ? { SelectStmt: { ...select, targetList } } : (body.subselect ?? null);
      return { SubLink: { ...body, subselect, ...(body.operName ? { operName: unqualified(body.operName) } : {}) } };
    }
  }
  return { [kind]: body };
}

/** Rewrites A_Expr forms into the ones PostgreSQL stores: IN as = ANY (ARRAY[..]), BETWEEN as >= AND <=, LIKE as ~~. */
function normalizeAExpr(body: JsonObject): Json {
  const name = unqualified(body.name);
  const op = stringOf(name[0]);
  const items = asList(nodeOf(body.rexpr, 'List')?.items);
  const binary = (sval: string, rexpr: Json | undefined): Json =>
    ({ A_Expr: { kind: 'AEXPR_OP', name: opName(sval), lexpr: body.lexpr ?? null, rexpr: rexpr ?? null } });
  switch (body.kind) {
    case 'AEXPR_IN':
      return { A_Expr: { ...body, kind: op === '=' ? 'AEXPR_OP_ANY' : 'AEXPR_OP_ALL', name, rexpr: { A_ArrayExpr: { elements: items } } } };
    case 'AEXPR_BETWEEN':
      return { BoolExpr: { boolop: 'AND_EXPR', args: [binary('>=', items[0]), binary('<=', items[1])] } };
    case 'AEXPR_NOT_BETWEEN':
      return { BoolExpr: { boolop: 'OR_EXPR', args: [binary('<', items[0]), binary('>', items[1])] } };
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
      return { A_Expr: { ...body, kind: 'AEXPR_OP', name } };
  }
  return { A_Expr: { ...body, name } };
}

/** Normalises every field of a node body: locations dropped, type names rendered canonically, children normalised. */
function normalizeFields(body: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'location') continue;
    // Casts to public types print qualified (empty search_path); a spec writes them unqualified.
    out[key] = key === 'typeName' && isObject(value) ? renderType(value).replace(/^public\./, '') : normalize(value);
  }
  return out;
}

function normalize(value: Json): Json {
  if (Array.isArray(value)) return value.map(normalize);
  if (!isObject(value)) return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only && /^[A-Z]/.test(only[0]) && isObject(only[1])) return normalizeNode(only[0], only[1]);
  return normalizeFields(value);
}

// Callers only read the trees (compare them), so one tree may serve every caller.
const tryNormalize = memoized((text: string): Json | undefined => {
  const parsed = parseExpression(text);
  return parsed === undefined ? undefined : normalize(parsed);
});

/** The normalised syntax tree sameExpression compares (for debugging); throws when the text is not one SQL expression. */
export function normalizeExpression(text: string): unknown {
  const tree = tryNormalize(text);
  if (tree === undefined) throw new Error(`not a single SQL expression: ${text}`);
  return tree;
}

/** Whether two SQL expressions mean the same, comparing normalised syntax trees (text, when either does not parse). */
export function sameExpression(specText: string, actualText: string): boolean {
  // The same text means the same thing: no call into the parser.
  if (specText === actualText) return true;
  const spec = tryNormalize(specText);
  const actual = tryNormalize(actualText);
  if (spec === undefined || actual === undefined) return fallbackText(specText) === fallbackText(actualText);
  return isDeepStrictEqual(spec, actual);
}
