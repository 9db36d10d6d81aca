import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import jsYaml from 'js-yaml';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Alias, type Document, type Pair, type YAMLMap } from 'yaml';
import { SpecError, UsageError } from '../errors.ts';
import { importModule } from './import-module.ts';
import { withMigrationFolders } from './migration-folder.ts';
import type { Spec } from './model.ts';
import { validateSpec, type Locate, type Location } from './validate.ts';

// Finds spec files (paths, folders, globs), reads them (YAML with positions, JSON, TS/JS modules)
// and hands the data to validateSpec(). The only I/O of the spec layer: reading files, and
// keeping validated specs in the CLI's cache folder.

const SPEC_FILE = /\.spec\.(ya?ml|ts|js|json)$/;
const SPEC_EXTENSION = /\.(ya?ml|ts|js|json)$/;
const SPEC_PATTERNS = '*.spec.yaml, *.spec.yml, *.spec.ts, *.spec.js, *.spec.json';
/** Weighted alias expansions allowed per file: plenty for shared entries, far too few for a "billion laughs". */
const MAX_ALIAS_COUNT = 1000;

interface SpecFile {
  abs: string;
  /** The path as shown in messages and `Spec.file`: as given, or folder/glob base as given plus the found path. */
  shown: string;
}

/**
 * Loads and validates spec files. Each input is a file (`.yaml`, `.yml`, `.ts`, `.js`, `.json`,
 * any name), a folder (searched recursively for `*.spec.*`, skipping `node_modules` and hidden
 * folders) or a glob (`*`, `?`, `**`; matches `*.spec.*` files only). Files are loaded in input
 * order, folder and glob matches sorted, each file once. Throws UsageError when an input finds
 * nothing and SpecError for an invalid file.
 */
export async function loadSpecs(inputs: string[], cwd: string = process.cwd()): Promise<Spec[]> {
  const files: SpecFile[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    for (const file of await expand(input, cwd)) {
      if (seen.has(file.abs)) continue;
      seen.add(file.abs);
      files.push(file);
    }
  }
  const specs: Spec[] = [];
  for (const file of files) specs.push(await loadSpecFile(file.abs, file.shown));
  return specs;
}

/** Decodes a spec file strictly: invalid UTF-8 is a spec error at its line, never silently replaced. */
function decodeUtf8(bytes: Buffer, shown: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const text = bytes.toString('utf8');
    const at = text.indexOf('\uFFFD');
    const line = at < 0 ? undefined : text.slice(0, at).split('\n').length;
    throw new SpecError(shown, line, undefined, '', 'the file is not valid UTF-8');
  }
}

/** Loads one spec file by absolute path; `shown` is the name used in messages (defaults to the path). */
export async function loadSpecFile(abs: string, shown: string = abs): Promise<Spec> {
  if (/\.(ts|js)$/.test(abs)) return withMigrationFolders(await loadModule(abs, shown), path.dirname(abs));
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (error) {
    throw new SpecError(shown, undefined, undefined, '', `cannot read the file: ${oneLine(error)}`);
  }
  const kept = keptSpecFile(shown, bytes);
  let spec = kept === undefined ? undefined : await readKeptSpec(kept);
  if (spec === undefined) {
    const text = decodeUtf8(bytes, shown);
    spec = abs.endsWith('.json') ? parseJsonSpec(text, shown) : parseYamlSpec(text, shown);
    if (kept !== undefined) await keepSpec(kept, spec);
  }
  // Migrations folders are read now, so evaluation never touches the file system.
  return withMigrationFolders(spec, path.dirname(abs));
}

/** How many validated specs the cache keeps; beyond that, the oldest half goes. */
const SPEC_CACHE_SIZE = 200;

/**
 * Where a validated spec is kept between runs, in the folder the CLI names (inside its bundle's
 * folder, so a new pgspec build starts afresh; PGSPEC_SPEC_CACHE=off turns it off): a file read
 * before, byte for byte and under the same name, is not parsed and validated again. Only specs
 * that loaded are kept, so an invalid file is read, and reported, every time.
 */
function keptSpecFile(shown: string, bytes: Buffer): string | undefined {
  const dir = (globalThis as Record<symbol, unknown>)[Symbol.for('pgspec.specCache')];
  if (typeof dir !== 'string' || process.env.PGSPEC_SPEC_CACHE === 'off') return undefined;
  return path.join(dir, `${createHash('sha256').update(`${shown}\0`).update(bytes).digest('hex')}.json`);
}

async function readKeptSpec(file: string): Promise<Spec | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Spec;
  } catch {
    return undefined; // not kept yet (or unreadable: read the spec file itself)
  }
}

/** Keeps a validated spec (best effort), when JSON gives the very same spec back. */
async function keepSpec(file: string, spec: Spec): Promise<void> {
  const json = JSON.stringify(spec);
  if (!isDeepStrictEqual(JSON.parse(json), spec)) return;
  const dir = path.dirname(file);
  try {
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, json);
    await rename(tmp, file);
    const kept = await readdir(dir);
    if (kept.length > SPEC_CACHE_SIZE) {
      const aged = await Promise.all(kept.map(async (name) => ({ name, at: (await stat(path.join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
      aged.sort((a, b) => a.at - b.at);
      await Promise.all(aged.slice(0, kept.length / 2).map((f) => rm(path.join(dir, f.name), { force: true })));
    }
  } catch {
    // a read-only install: specs are validated on every run
  }
}

/**
 * Validates the text of a YAML spec; `file` names it in messages. A plain spec (no anchors,
 * aliases, tags or directives: nearly all of them) is read by js-yaml, which is about ten times
 * faster than the `yaml` package on a big spec; every other spec, and any spec the fast path
 * cannot read or finds invalid, is read by the `yaml` package, whose positions and messages are
 * the ones pgspec reports. Both read YAML 1.2's core schema, so they give the same data.
 */
export function parseYamlSpec(text: string, file: string, options: { fast?: boolean } = {}): Spec {
  // The full reading, made at most once: on demand, or for a spec the fast path could not take.
  let full: { raw: unknown; locate: Locate } | undefined;
  const fullReading = () => (full ??= fullYaml(text, file));
  const fast = options.fast !== false && isPlainYaml(text) ? readPlainYaml(text) : undefined;
  if (fast !== undefined) {
    // Entries are located from the fast read; anything else (a change line, a number's source
    // text) asks the full reading.
    const locate: Locate = (keyPath, target = 'value') =>
      (target === 'value' ? fast.locate(keyPath) : undefined) ?? fullReading().locate(keyPath, target);
    try {
      return validateSpec(fast.raw, file, locate);
    } catch (error) {
      // The full reading reports the same problem with the `yaml` package's positions.
      if (!(error instanceof SpecError)) throw error;
    }
  }
  const { raw, locate } = fullReading();
  return validateSpec(raw, file, locate);
}

/**
 * What the fast path may read: YAML that js-yaml and the `yaml` package read alike. No anchor,
 * alias or tag (`&`, `*`, `!` after a space or flow indicator), no merge key, no directive, no
 * binary number (js-yaml reads `0b101` as 5, YAML 1.2's core schema as text), no document marker
 * after the first line, no tab or control character, no quoted text running over a line end
 * (js-yaml is more lenient there: it reads a `---` line inside a quoted string as text), no `#`
 * right after other text, and no key that is empty, null, explicit or a collection. A false alarm only costs the slower reading.
 */
export function isPlainYaml(text: string): boolean {
  if (/(?:^|[\s[{,:-])[&*!]|<<|^%|(?:^|[\s[{,:-])[-+]?0b/m.test(text)) return false;
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\t\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff\ufffe\uffff]/.test(text.startsWith('\ufeff') ? text.slice(1) : text)) return false;
  // A `#` right after other text: the yaml package calls it an error after a quote, js-yaml a comment.
  if (/\n(?:---|\.\.\.)|\S#/.test(text)) return false;
  // Keys js-yaml turns into other text: empty or null keys ("null" where YAML says ""),
  // explicit `?` keys, and lists or mappings as keys.
  if (/(?:^|[\s[{,-])(?:null|Null|NULL|~)?[ ]*:(?:\s|$)|(?:^|[\s[{,])\?(?:\s|$)|[\]}][ ]*:(?:\s|$)/m.test(text)) return false;
  for (const line of text.split('\n')) {
    if (line.includes('"') && (line.match(/(?<!\\)"/g)?.length ?? 0) % 2 === 1) return false;
    if (line.includes("'") && (line.match(/'/g)?.length ?? 0) % 2 === 1) return false;
  }
  return true;
}

type FastLocate = (keyPath: readonly (string | number)[]) => Location | undefined;

/**
 * js-yaml with YAML 1.2's core schema. Where each phase entry starts comes from a light scan of
 * the lines (a block list under a top-level `pre:`, `post:` or `always:` key, as specs are
 * written), checked against the data; when the scan cannot vouch for every entry, a second
 * reading notes every node's start (js-yaml's listener, which makes reading half again slower).
 */
function readPlainYaml(text: string): { raw: unknown; locate: FastLocate } | undefined {
  let raw: unknown;
  try {
    raw = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
  return { raw, locate: scanEntries(text, raw) ?? listenedStarts(text) };
}

const PHASES = ['pre', 'post', 'always'] as const;

/** The start of every phase entry, from the lines of the text; undefined when unsure. */
function scanEntries(text: string, raw: unknown): FastLocate | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const lines = text.split('\n');
  const found = new Map<string, Location[]>();
  for (const phase of PHASES) {
    const entries = (raw as Record<string, unknown>)[phase];
    if (!Array.isArray(entries) || entries.length === 0) continue;
    const key = new RegExp(`^${phase}[ \\t]*:[ \\t]*(#.*)?\\r?$`);
    const at = lines.findIndex((l) => key.test(l));
    if (at < 0 || lines.findIndex((l, i) => i > at && key.test(l)) >= 0) return undefined;
    const starts: Location[] = [];
    let indent = -1;
    for (let i = at + 1; i < lines.length; i++) {
      const line = lines[i]!;
      const content = line.search(/[^ \r]/);
      if (content < 0 || line[content] === '#') continue;
      if (indent < 0) indent = content;
      if (content < indent || (content === 0 && line[0] !== '-')) break;
      if (content > indent) continue;
      if (!/^-(\s|$)/.test(line.slice(content))) break;
      // The entry starts after "- ", or on the next line with content when that is all there is.
      const rest = line.slice(content + 1).search(/[^ \t\r]/);
      if (rest >= 0 && line[content + 1 + rest] !== '#') {
        starts.push({ line: i + 1, column: content + 2 + rest });
        continue;
      }
      let next = i + 1;
      for (; next < lines.length; next++) {
        const c = lines[next]!.search(/[^ \r]/);
        if (c >= 0 && lines[next]![c] !== '#') break;
      }
      const column = next < lines.length ? lines[next]!.search(/[^ \r]/) : -1;
      if (column <= indent) return undefined;
      starts.push({ line: next + 1, column: column + 1 });
    }
    if (starts.length !== entries.length) return undefined;
    found.set(phase, starts);
  }
  return (keyPath) => (keyPath.length === 2 && typeof keyPath[1] === 'number' ? found.get(String(keyPath[0]))?.[keyPath[1]] : undefined);
}

/** Reads the text again with js-yaml's listener, noting where each mapping and list starts. */
function listenedStarts(text: string): FastLocate {
  const starts = new WeakMap<object, Location>();
  const open: Location[] = [];
  const raw = jsYaml.load(text, {
    schema: jsYaml.CORE_SCHEMA,
    listener(event, state) {
      if (event === 'open') {
        open.push({ line: state.line + 1, column: state.position - state.lineStart + 1 });
        return;
      }
      const at = open.pop();
      if (at !== undefined && typeof state.result === 'object' && state.result !== null) starts.set(state.result, at);
    },
  });
  return (keyPath) => {
    let node: unknown = raw;
    for (const step of keyPath) {
      if (typeof node !== 'object' || node === null || !Object.hasOwn(node, step)) return undefined;
      node = (node as Record<string | number, unknown>)[step];
    }
    return typeof node === 'object' && node !== null ? starts.get(node) : undefined;
  };
}

/** The `yaml` package's reading: the data, and a locator with every node's position. */
function fullYaml(text: string, file: string): { raw: unknown; locate: Locate } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  const error = doc.errors[0];
  if (error !== undefined) {
    const { line, col } = at(error.pos[0]);
    const detail =
      error.code === 'DUPLICATE_KEY'
        ? `duplicate key ${quotedKeyAt(text, error.pos[0])} (a key appears once per mapping; each list entry starts with "- ")`
        : `YAML syntax error: ${oneLine(error.message)}`;
    throw new SpecError(file, line, col, '', detail);
  }
  let unresolved: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      unresolved = node;
      return visit.BREAK;
    },
  });
  if (unresolved !== undefined) {
    const { line, col } = at(unresolved.range?.[0] ?? 0);
    throw new SpecError(file, line, col, '', `unknown alias *${unresolved.source}: define &${unresolved.source} before using it`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new SpecError(file, undefined, undefined, '', `YAML: ${oneLine(error)}`);
  }
  return { raw, locate: yamlLocator(doc, lineCounter) };
}

/** Validates the text of a JSON spec. Positions come from reading the same text as YAML (JSON is YAML). */
export function parseJsonSpec(text: string, file: string): Spec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const message = oneLine(error);
    const offset = /at position (\d+)/.exec(message)?.[1];
    const pos = offset === undefined ? undefined : lineColumn(text, Number(offset));
    throw new SpecError(file, pos?.line, pos?.column, '', `JSON syntax error: ${message.replace(/ in JSON at position \d+.*$/, '')}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const duplicate = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (duplicate !== undefined) {
    const { line, col } = lineCounter.linePos(duplicate.pos[0]);
    throw new SpecError(file, line, col, '', `duplicate key ${quotedKeyAt(text, duplicate.pos[0])}`);
  }
  return validateSpec(raw, file, doc.errors.length === 0 ? yamlLocator(doc, lineCounter) : undefined);
}

async function loadModule(abs: string, file: string): Promise<Spec> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(abs);
  } catch (error) {
    const message = oneLine(error);
    // Transformers name the place of a syntax error: tsx/esbuild "FILE:LINE:COL: ERROR: what",
    // oxc (vitest) "[PARSE_ERROR] what ╭─[ FILE:LINE:COL ]".
    const esbuild = /:(\d+):(\d+): ERROR: (.*)$/.exec(message);
    if (esbuild !== null) throw new SpecError(file, Number(esbuild[1]), Number(esbuild[2]), '', `syntax error: ${esbuild[3]}`);
    const oxc = /\[[A-Z_]+\]\s*(.*?)\s*╭─\[\s*[^\]]*?:(\d+):(\d+)\s*\]/.exec(message);
    if (oxc !== null) throw new SpecError(file, Number(oxc[2]), Number(oxc[3]), '', `syntax error: ${oxc[1]}`);
    throw new SpecError(file, undefined, undefined, '', `could not be loaded: ${message}`);
  }
  if (mod.default === undefined) {
    throw new SpecError(file, undefined, undefined, '', 'has no default export; write "export default defineSpec({ name: ..., post: [...] })"');
  }
  return validateSpec(mod.default, file);
}

// --- positions in YAML documents ---

function yamlLocator(doc: Document.Parsed, lineCounter: LineCounter): Locate {
  const deref = (node: unknown): unknown => {
    for (let i = 0; i < 32 && isAlias(node); i++) node = node.resolve(doc);
    return node;
  };
  const position = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range === undefined) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { line, column: col };
  };
  const findPair = (map: YAMLMap, key: string, depth = 0): Pair | undefined => {
    for (const pair of map.items) if (isScalar(pair.key) && String(pair.key.value) === key) return pair;
    if (depth > 8) return undefined;
    // A merge key (`<<: *base` or `<<: [*a, *b]`) brings its keys from the anchored mappings.
    for (const pair of map.items) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') continue;
      const value = deref(pair.value);
      for (const source of isSeq(value) ? value.items : [value]) {
        const merged = deref(source);
        const found = isMap(merged) ? findPair(merged, key, depth + 1) : undefined;
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return (keyPath, target = 'value') => {
    let node: unknown = doc.contents;
    let key: unknown;
    for (const step of keyPath) {
      const container = deref(node);
      if (isMap(container)) {
        const pair = findPair(container, String(step));
        if (pair === undefined) return undefined;
        key = pair.key;
        node = pair.value;
      } else if (isSeq(container) && typeof step === 'number') {
        key = undefined;
        node = container.items[step];
        if (node === undefined) return undefined;
      } else {
        return undefined;
      }
    }
    // An empty value (`post:`) has no node of its own: point at its key.
    const loc = position(target === 'key' && key !== undefined ? key : (node ?? key)) ?? position(key);
    if (loc === undefined) return undefined;
    const scalar = deref(node);
    return isScalar(scalar) && scalar.type === 'PLAIN' && typeof scalar.source === 'string' ? { ...loc, source: scalar.source } : loc;
  };
}

function quotedKeyAt(text: string, offset: number): string {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^:#\n,{}[\]]*?))\s*:/.exec(text.slice(offset));
  const key = m?.[1] ?? m?.[2] ?? m?.[3];
  return key === undefined || key === '' ? 'in a mapping' : `"${key}"`;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** An error's message on one line, never a stack. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // eslint-disable-next-line no-control-regex -- terminal colours some tools put in messages
  const text = message.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s*\n\s*/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

// --- finding files ---

async function expand(input: string, cwd: string): Promise<SpecFile[]> {
  const abs = path.resolve(cwd, input);
  const info = await stat(abs).catch(() => undefined);
  if (info?.isFile()) {
    if (!SPEC_EXTENSION.test(abs)) throw new UsageError(`"${input}" is not a spec file: spec files end in .yaml, .yml, .ts, .js or .json`);
    return [{ abs, shown: input }];
  }
  if (info?.isDirectory()) {
    const found = (await walk(abs)).filter((rel) => SPEC_FILE.test(rel));
    if (found.length === 0) throw new UsageError(`no spec files in folder "${input}" (looked for ${SPEC_PATTERNS})`);
    return found.map((rel) => ({ abs: path.join(abs, rel), shown: path.posix.join(toPosix(input), rel) }));
  }
  if (/[*?]/.test(input)) {
    const found = await expandGlob(input, cwd);
    if (found.length === 0) throw new UsageError(`no spec files match "${input}" (a glob finds ${SPEC_PATTERNS})`);
    return found;
  }
  throw new UsageError(`spec file or folder not found: "${input}"`);
}

async function expandGlob(pattern: string, cwd: string): Promise<SpecFile[]> {
  const segments = toPosix(pattern).split('/');
  const firstGlob = segments.findIndex((s) => /[*?]/.test(s));
  const baseSegments = segments.slice(0, firstGlob);
  let base = baseSegments.join('/');
  if (base === '' && pattern.startsWith('/')) base = '/';
  const matcher = globRegex(segments.slice(firstGlob));
  const baseAbs = path.resolve(cwd, base === '' ? '.' : base);
  const info = await stat(baseAbs).catch(() => undefined);
  if (!info?.isDirectory()) return [];
  return (await walk(baseAbs))
    .filter((rel) => matcher.test(rel) && SPEC_FILE.test(rel))
    .map((rel) => ({ abs: path.join(baseAbs, rel), shown: base === '' ? rel : path.posix.join(base, rel) }));
}

/** `*` and `?` within one path segment, `**` for any number of segments. */
function globRegex(segments: string[]): RegExp {
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      source += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    for (const ch of segment) source += ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    if (!last) source += '/';
  });
  return new RegExp(`^${source}$`);
}

/** Files under a folder as sorted relative posix paths, skipping node_modules and hidden folders. */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const visitDir = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = path.join(dir, entry.name);
      // Symlinked folders are not followed (no cycles); symlinked files are read.
      const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile() === true);
      if (isFile) out.push(relPath);
      else if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) await visitDir(full, relPath);
    }
  };
  await visitDir(root, '');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
