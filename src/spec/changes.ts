import { CHANGE_KINDS, type ChangeDecl, type ChangeKind } from './model.ts';
import { splitName } from './names.ts';

// `changes` and `ignore` lines (product.md §3): `drop|add|alter KIND NAME [on TABLE]` and
// `rows TABLE`; an `ignore` line may leave out the verb. Also home of the name-form checks and
// the did-you-mean helper that entries and change lines share.

/** The closest candidate to a mistyped word (case, `_` and `-` ignored first, then edit distance), if any is close. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
  const folded = fold(word);
  const exact = candidates.find((c) => fold(c) === folded);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const c of candidates) {
    const d = editDistance(folded, fold(c));
    if (d <= bestDistance && (best === undefined || d < editDistance(folded, fold(best)))) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** " (did you mean "x"?)" or "". */
export function suggestion(word: string, candidates: readonly string[]): string {
  const s = didYouMean(word, candidates);
  return s === undefined ? '' : ` (did you mean "${s}"?)`;
}

/**
 * How a name of some kind is written: `single` (one part: a schema), `qualified` (`schema.name`
 * or `name`), `routine` (qualified, optionally with `(argtypes)`), `references` (qualified,
 * optionally with a non-empty `(column, ...)`), `column` (`table.column` or
 * `schema.table.column`), `free` (one object name taken as written: a trigger, policy,
 * constraint, role or extension name).
 */
export type NameForm = 'single' | 'qualified' | 'routine' | 'references' | 'column' | 'free';

const FORM_TEXT: Record<NameForm, string> = {
  single: 'a single name',
  qualified: 'schema.name or name',
  routine: 'schema.name(argtypes), schema.name or name',
  references: 'schema.table(column, ...)',
  column: 'schema.table.column or table.column',
  free: 'a name',
};

/** Why a written name does not fit its form, or undefined when it does. */
export function nameProblem(form: NameForm, written: string, what: string): string | undefined {
  if (written.trim() === '') return `${what} needs a name, got an empty one`;
  const quotes = unbalancedQuote(written);
  if (quotes !== undefined) return quotes;
  if (form === 'free') return undefined;
  let base = written;
  if (form === 'routine' || form === 'references') {
    const open = indexOutsideQuotes(written, '(');
    if (open >= 0) {
      base = written.slice(0, open);
      const list = written.trimEnd().slice(open);
      if (!list.endsWith(')') || !balanced(list)) return `${what} is written ${FORM_TEXT[form]}; the parenthesis in "${written}" is not closed`;
      if (form === 'references' && list.slice(1, -1).trim() === '') return `${what} is written ${FORM_TEXT[form]}; "${written}" lists no columns`;
    }
  }
  const parts = splitName(base);
  const [min, max] = form === 'single' ? [1, 1] : form === 'column' ? [2, 3] : [1, 2];
  if (parts.length < min || parts.length > max) {
    return `${what} is written ${FORM_TEXT[form]}; "${written}" has ${parts.length} dotted part${parts.length === 1 ? '' : 's'}`;
  }
  if (parts.some((p) => p === '' || p === '""')) return `${what} "${written}" has an empty part`;
  return undefined;
}

function unbalancedQuote(text: string): string | undefined {
  return (text.replace(/""/g, '').match(/"/g)?.length ?? 0) % 2 === 1 ? `a double quote is not closed in: ${text}` : undefined;
}

function indexOutsideQuotes(text: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === ch) return i;
  }
  return -1;
}

function balanced(text: string): boolean {
  let depth = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')' && --depth < 0) return false;
  }
  return depth === 0 && !quoted;
}

/** The words a line may use for each kind (lower case; two-word kinds as two tokens). */
const KIND_WORDS: Record<string, ChangeKind> = {
  ...Object.fromEntries(CHANGE_KINDS.map((k) => [k.toLowerCase(), k])),
  materialized_view: 'materializedView',
  'materialized view': 'materializedView',
  foreignkey: 'constraint',
  foreign_key: 'constraint',
  'foreign key': 'constraint',
};
const KIND_LIST = 'schema, table, column, view, materialized view, index, constraint, foreign key, trigger, function, procedure, policy, enum, extension, sequence, role';

/** How each kind's name is written, in `changes` lines and in spec entries alike. */
export const NAME_FORM: Record<ChangeKind, NameForm> = {
  schema: 'single',
  table: 'qualified',
  column: 'column',
  view: 'qualified',
  materializedView: 'qualified',
  index: 'qualified',
  constraint: 'free',
  trigger: 'free',
  function: 'routine',
  procedure: 'routine',
  policy: 'free',
  enum: 'qualified',
  extension: 'free',
  sequence: 'qualified',
  role: 'free',
};

/** Kinds whose objects live on a table: `on TABLE` names it (required in `changes` except for an index). */
const ON_KINDS: ReadonlySet<ChangeKind> = new Set(['trigger', 'policy', 'constraint', 'index']);
const VERBS = ['drop', 'add', 'alter', 'rows'] as const;
const VERB_SYNONYMS: Record<string, string> = { create: 'add', remove: 'drop', delete: 'drop', modify: 'alter', change: 'alter' };

interface Token {
  text: string;
  start: number;
  end: number;
}

/** Splits on whitespace outside double quotes and parentheses. */
function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let start = -1;
  let quoted = false;
  let depth = 0;
  for (let i = 0; i <= line.length; i++) {
    const ch = line[i];
    const boundary = ch === undefined || (!quoted && depth === 0 && /\s/.test(ch));
    if (boundary) {
      if (start >= 0) tokens.push({ text: line.slice(start, i), start, end: i });
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth = Math.max(0, depth - 1);
  }
  return tokens;
}

/** The result of parsing one line: the declaration, or what is wrong with it. */
export type ChangeParse = { ok: true; decl: ChangeDecl } | { ok: false; detail: string };

/** Parses one `changes` (mode `changes`) or `ignore` (mode `ignore`) line. */
export function parseChangeLine(text: string, mode: 'changes' | 'ignore', line?: number): ChangeParse {
  const form = mode === 'changes' ? '"drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"' : '"KIND NAME [on TABLE]", "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"';
  const fail = (detail: string): ChangeParse => ({ ok: false, detail });
  const quotes = unbalancedQuote(text);
  if (quotes !== undefined) return fail(quotes);
  const tokens = tokenize(text);
  const first = tokens[0];
  if (first === undefined) return fail(`empty line; expected ${form}`);

  let i = 0;
  let verb: ChangeDecl['verb'] = 'any';
  const firstWord = first.text.toLowerCase();
  if ((VERBS as readonly string[]).includes(firstWord)) {
    verb = firstWord as ChangeDecl['verb'];
    i = 1;
  } else if (mode === 'changes' || VERB_SYNONYMS[firstWord] !== undefined) {
    const synonym = VERB_SYNONYMS[firstWord];
    const hint = synonym !== undefined ? ` (write "${synonym}")` : suggestion(firstWord, VERBS);
    return fail(`"${first.text}" is not a change${hint}; expected ${form}`);
  }

  let kind: ChangeKind;
  if (verb === 'rows') {
    // `rows TABLE`, also accepted as `rows table TABLE`.
    if (tokens[i]?.text.toLowerCase() === 'table' && tokens.length > i + 1) i++;
    kind = 'table';
  } else {
    const word = tokens[i];
    if (word === undefined) return fail(`missing the object kind after "${first.text}"; expected ${form}`);
    const one = word.text.toLowerCase();
    const two = tokens[i + 1] === undefined ? undefined : `${one} ${tokens[i + 1]!.text.toLowerCase()}`;
    if (two !== undefined && KIND_WORDS[two] !== undefined) {
      kind = KIND_WORDS[two];
      i += 2;
    } else if (KIND_WORDS[one] !== undefined) {
      kind = KIND_WORDS[one];
      i += 1;
    } else {
      return fail(`unknown object kind "${word.text}"${suggestion(one, Object.keys(KIND_WORDS))}; expected one of: ${KIND_LIST}`);
    }
  }

  const rest = tokens.slice(i);
  const onAt = rest.findLastIndex((t, k) => k > 0 && t.text.toLowerCase() === 'on');
  const nameTokens = onAt >= 0 ? rest.slice(0, onAt) : rest;
  const onTokens = onAt >= 0 ? rest.slice(onAt + 1) : [];
  const span = (ts: Token[]) => (ts.length === 0 ? '' : text.slice(ts[0]!.start, ts[ts.length - 1]!.end));
  const name = span(nameTokens);
  const what = verb === 'rows' ? 'rows' : `${verb === 'any' ? '' : `${verb} `}${kindWord(kind)}`;
  if (name === '') return fail(`missing the name after "${text.trim()}"; expected ${form}`);

  if (onAt >= 0) {
    if (verb === 'rows' || !ON_KINDS.has(kind)) {
      return fail(`"on TABLE" applies only to trigger, policy, constraint and index lines, not to "${what}"`);
    }
    if (onTokens.length === 0) return fail(`missing the table after "on" in "${text.trim()}"`);
  } else if (mode === 'changes' && verb !== 'rows' && ON_KINDS.has(kind) && kind !== 'index') {
    return fail(`a ${kindWord(kind)} is named with its table: "${what} ${name} on TABLE"`);
  }
  const on = onAt >= 0 ? span(onTokens) : undefined;

  const problem =
    nameProblem(verb === 'rows' ? 'qualified' : NAME_FORM[kind], name, `a ${verb === 'rows' ? 'table' : kindWord(kind)}`) ??
    (on === undefined ? undefined : nameProblem('qualified', on, 'a table'));
  if (problem !== undefined) return fail(problem);

  const decl: ChangeDecl = { verb, kind, name, text };
  if (on !== undefined) decl.on = on;
  if (line !== undefined) decl.line = line;
  return { ok: true, decl };
}

function kindWord(kind: ChangeKind): string {
  return kind === 'materializedView' ? 'materialized view' : kind;
}
