// Names follow PostgreSQL's folding rules (product.md §3 "Names"): a plain identifier part
// folds to lower case, a double-quoted part is exact, a part SQL could only write quoted
// (spaces, punctuation) is taken as written. `*` and `?` are globs within one part.

/** A NamePart is one dotted part of a name as written in a spec, resolved. */
export interface NamePart {
  /** The resolved text: folded, unquoted. */
  text: string;
  /** True when the part contains an unquoted `*` or `?`. */
  glob: boolean;
  /** Compiled matcher for glob parts. */
  regex?: RegExp;
}

const PLAIN = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const PLAIN_GLOB = /^[A-Za-z0-9_$*?]+$/;

/** Splits a name on dots outside double quotes, keeping the quoting of each part. */
export function splitName(written: string): string[] {
  // Most names have no quotes: split them at once.
  if (!written.includes('"')) return written.split('.').map((p) => p.trim());
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < written.length; i++) {
    const ch = written[i]!;
    if (ch === '"') {
      if (quoted && written[i + 1] === '"') {
        current += '""';
        i++;
        continue;
      }
      quoted = !quoted;
      current += ch;
    } else if (ch === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const escapeRegex = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** Resolves one written part: quotes removed, plain identifiers folded, globs compiled. */
export function resolvePart(part: string, allowGlob = true): NamePart {
  if (part.length >= 2 && part.startsWith('"') && part.endsWith('"')) {
    return { text: part.slice(1, -1).replace(/""/g, '"'), glob: false };
  }
  if (PLAIN.test(part)) return { text: part.toLowerCase(), glob: false };
  if (allowGlob && PLAIN_GLOB.test(part) && /[*?]/.test(part)) {
    const text = part.toLowerCase();
    const regex = new RegExp(`^${text.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegex(c))).join('')}$`, 's');
    return { text, glob: true, regex };
  }
  // Only writable quoted in SQL (spaces, punctuation, or a lone glob like "*" with other chars): exact.
  return { text: part, glob: false };
}

/** Whether a resolved part matches an actual catalog name. */
export function partMatches(part: NamePart, actual: string): boolean {
  return part.glob ? part.regex!.test(actual) : part.text === actual;
}

/** Whether a part matches ignoring case and quoting: used to suggest what the author meant. */
export function partMatchesLoosely(part: NamePart, actual: string): boolean {
  if (part.glob) return new RegExp(part.regex!.source, 'si').test(actual);
  return part.text.toLowerCase() === actual.toLowerCase();
}

/** A QualifiedPattern is a `schema.name` pattern (unqualified means `public`). */
export interface QualifiedPattern {
  schema: NamePart;
  name: NamePart;
  written: string;
}

// Names of plain identifiers only (most names a spec writes) are parsed without splitName's
// quote-aware scan and resolvePart's tests: what they resolve to is the same (plain parts fold
// to lower case, never globs). Specs name thousands of objects, and every name is parsed when
// the scope of a check is worked out and again when it is evaluated.
const PLAIN_QUALIFIED = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)?$/;
const PLAIN_COLUMN = /^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

const plainPart = (text: string): NamePart => ({ text: text.toLowerCase(), glob: false });

/**
 * Parsed names by their text: a spec names the same tables again and again (each column and
 * index of a table names it), and the scope of a check parses every name before evaluation
 * parses it again. Bounded (emptied past 50,000 names); what they hold is shared, never changed.
 */
const parsedQualified = new Map<string, QualifiedPattern | undefined>();
const parsedColumns = new Map<string, { table: QualifiedPattern; column: NamePart } | undefined>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= 50_000) cache.clear();
  cache.set(key, value);
  return value;
}

/** Parses `schema.name` or `name` (public). Returns undefined when it has more than two parts. */
export function parseQualified(written: string, defaultSchema = 'public'): QualifiedPattern | undefined {
  const key = defaultSchema === 'public' ? written : `${defaultSchema}\0${written}`;
  const known = parsedQualified.get(key);
  return known !== undefined || parsedQualified.has(key) ? known : remember(parsedQualified, key, parseQualifiedAfresh(written, defaultSchema));
}

function parseQualifiedAfresh(written: string, defaultSchema: string): QualifiedPattern | undefined {
  if (PLAIN_QUALIFIED.test(written)) {
    const dot = written.indexOf('.');
    return dot < 0
      ? { schema: { text: defaultSchema, glob: false }, name: plainPart(written), written }
      : { schema: plainPart(written.slice(0, dot)), name: plainPart(written.slice(dot + 1)), written };
  }
  const parts = splitName(written);
  if (parts.length === 1) return { schema: { text: defaultSchema, glob: false }, name: resolvePart(parts[0]!), written };
  if (parts.length === 2) return { schema: resolvePart(parts[0]!), name: resolvePart(parts[1]!), written };
  return undefined;
}

/** Parses `schema.table.column` or `table.column` (public). */
export function parseColumnName(written: string): { table: QualifiedPattern; column: NamePart } | undefined {
  const known = parsedColumns.get(written);
  return known !== undefined || parsedColumns.has(written) ? known : remember(parsedColumns, written, parseColumnNameAfresh(written));
}

function parseColumnNameAfresh(written: string): { table: QualifiedPattern; column: NamePart } | undefined {
  if (PLAIN_COLUMN.test(written)) {
    const first = written.indexOf('.');
    const last = written.lastIndexOf('.');
    const column = plainPart(written.slice(last + 1));
    if (first === last) {
      const table = written.slice(0, first);
      return { table: { schema: { text: 'public', glob: false }, name: plainPart(table), written: table }, column };
    }
    return { table: { schema: plainPart(written.slice(0, first)), name: plainPart(written.slice(first + 1, last)), written: written.slice(0, last) }, column };
  }
  const parts = splitName(written);
  if (parts.length === 2) {
    return {
      table: { schema: { text: 'public', glob: false }, name: resolvePart(parts[0]!), written: parts[0]! },
      column: resolvePart(parts[1]!),
    };
  }
  if (parts.length === 3) {
    return {
      table: { schema: resolvePart(parts[0]!), name: resolvePart(parts[1]!), written: `${parts[0]}.${parts[1]}` },
      column: resolvePart(parts[2]!),
    };
  }
  return undefined;
}

/** Quotes an identifier only when PostgreSQL would need it quoted (not lower-case plain). */
export function quoteIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The key of a schema-qualified object in a snapshot: `schema.name`, parts quoted only when needed. */
export function qualify(schema: string, name: string): string {
  return `${quoteIfNeeded(schema)}.${quoteIfNeeded(name)}`;
}

// Most keys are two plain lower-case names, which qualify() left unquoted: split at the dot.
const PLAIN_KEY = /^[a-z_][a-z0-9_$]*\.[a-z_][a-z0-9_$]*$/;

/** Splits a snapshot key made by qualify() back into its raw parts. */
export function unqualify(key: string): { schema: string; name: string } {
  if (PLAIN_KEY.test(key)) {
    const dot = key.indexOf('.');
    return { schema: key.slice(0, dot), name: key.slice(dot + 1) };
  }
  const parts = splitName(key).map((p) => resolvePart(p, false).text);
  return { schema: parts[0]!, name: parts.slice(1).join('.') };
}

/** Whether a qualified pattern matches a snapshot key. */
export function matchesQualified(pattern: QualifiedPattern, key: string, loose = false): boolean {
  const { schema, name } = unqualify(key);
  const m = loose ? partMatchesLoosely : partMatches;
  return m(pattern.schema, schema) && m(pattern.name, name);
}

/** Whether a pattern has a glob in any part. */
export function isGlob(pattern: QualifiedPattern): boolean {
  return pattern.schema.glob || pattern.name.glob;
}
