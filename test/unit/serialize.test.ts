import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSearchPath, routineKey, columnKey } from '../../src/catalog/rows.ts';
import { PgspecError } from '../../src/errors.ts';
import { parseSnapshot, serializeSnapshot } from '../../src/snapshot/serialize.ts';
import { emptySnapshot, type Snapshot } from '../../src/snapshot/types.ts';
import { readSnapshotFile, writeSnapshotFile } from '../../src/targets/snapshot-file.ts';

function sample(): Snapshot {
  const s = emptySnapshot();
  s.server.version = '17.10';
  // Inserted out of order on purpose, integer-like keys included.
  s.rowCounts = { 'public.b': 2, '10': 10, 'public.a': 1, '2': 2, 'Public.Z': 0 };
  s.enums = { 'app.mood': { labels: ['sad', 'ok', 'happy'] } };
  s.schemas = { public: { owner: 'pg_database_owner' }, app: { owner: 'postgres' } };
  return s;
}

/** Catches the error a function throws, failing the test when it does not throw. */
function thrown(fn: () => unknown): PgspecError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PgspecError);
    return error as PgspecError;
  }
  throw new Error('expected an error');
}

describe('serializeSnapshot', () => {
  it('writes the empty snapshot with sorted keys, two-space indent and a trailing newline', () => {
    expect(serializeSnapshot(emptySnapshot())).toBe(
      [
        '{',
        '  "counts": "exact",',
        '  "enums": {},',
        '  "extensions": {},',
        '  "migrations": {},',
        '  "privileges": {},',
        '  "queries": {},',
        '  "roles": {},',
        '  "routines": {},',
        '  "rowCounts": {},',
        '  "schemas": {},',
        '  "sequences": {},',
        '  "server": {',
        '    "settings": {},',
        '    "version": ""',
        '  },',
        '  "tables": {},',
        '  "version": 1,',
        '  "views": {}',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('sorts keys at every level by code unit, integer-like keys included, and keeps array order', () => {
    const text = serializeSnapshot(sample());
    const rowCounts = text.slice(text.indexOf('"rowCounts"'), text.indexOf('"schemas"'));
    expect(rowCounts).toBe(
      '"rowCounts": {\n    "10": 10,\n    "2": 2,\n    "Public.Z": 0,\n    "public.a": 1,\n    "public.b": 2\n  },\n  ',
    );
    expect(text).toContain('"labels": [\n        "sad",\n        "ok",\n        "happy"\n      ]');
    expect(text.indexOf('"app"')).toBeLessThan(text.indexOf('"public": {'));
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    const a = sample();
    const b = sample();
    b.rowCounts = Object.fromEntries(Object.entries(a.rowCounts).reverse());
    b.schemas = { app: { owner: 'postgres' }, public: { owner: 'pg_database_owner' } };
    expect(serializeSnapshot(b)).toBe(serializeSnapshot(a));
  });

  it('round-trips through parseSnapshot', () => {
    const s = sample();
    expect(parseSnapshot(serializeSnapshot(s), 'x.snapshot.json')).toEqual(s);
  });
});

describe('parseSnapshot', () => {
  it('reads a snapshot written before privileges and migration histories were recorded: both empty', () => {
    const { privileges: _p, migrations: _m, ...old } = emptySnapshot();
    const parsed = parseSnapshot(JSON.stringify(old), 'old.snapshot.json');
    expect({ privileges: parsed.privileges, migrations: parsed.migrations }).toEqual({ privileges: {}, migrations: {} });
    expect(serializeSnapshot(parsed)).toBe(serializeSnapshot(emptySnapshot()));
  });

  it('rejects text that is not JSON, naming the source', () => {
    const error = thrown(() => parseSnapshot('{"version": 1,', 'pre.snapshot.json'));
    expect(error.code).toBe('SNAPSHOT_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^pre\.snapshot\.json: not a snapshot: invalid JSON/);
  });

  it('rejects JSON that is not an object', () => {
    expect(thrown(() => parseSnapshot('[1]', 'a.json')).message).toBe('a.json: not a snapshot: expected a JSON object');
  });

  it('rejects another format version', () => {
    const text = serializeSnapshot(emptySnapshot()).replace('"version": 1', '"version": 2');
    const error = thrown(() => parseSnapshot(text, 'old.snapshot.json'));
    expect(error.code).toBe('SNAPSHOT_INVALID');
    expect(error.message).toMatch(/^old\.snapshot\.json: unsupported snapshot version 2 \(this pgspec reads version 1\)/);
    expect(thrown(() => parseSnapshot('{}', 'none.json')).message).toMatch(/unsupported snapshot version undefined/);
  });

  it('names the path of the first invalid value', () => {
    const s = emptySnapshot() as unknown as Record<string, unknown>;
    s.tables = { 'public.t': { kind: 'view' } };
    const error = thrown(() => parseSnapshot(JSON.stringify(s), 'bad.json'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^bad\.json: invalid snapshot at tables\["public\.t"\]\.kind: /);

    const counts = { ...emptySnapshot(), rowCounts: { 'public.t': 1.5 } };
    expect(thrown(() => parseSnapshot(JSON.stringify(counts), 'c.json')).message).toMatch(
      /^c\.json: invalid snapshot at rowCounts\["public\.t"\]: /,
    );

    const missing = emptySnapshot() as unknown as Record<string, unknown>;
    delete missing.views;
    expect(thrown(() => parseSnapshot(JSON.stringify(missing), 'm.json')).message).toMatch(/^m\.json: invalid snapshot at views: /);
  });
});

describe('snapshot files', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes into folders that do not exist yet and reads the snapshot back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgspec-snap-'));
    const path = join(dir, 'a', 'b', 'pre.snapshot.json');
    await writeSnapshotFile(path, sample());
    expect(await readFile(path, 'utf8')).toBe(serializeSnapshot(sample()));
    expect(await readSnapshotFile(path)).toEqual(sample());
  });

  it('reports a missing or invalid file with the path', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgspec-snap-'));
    const missing = join(dir, 'nope.snapshot.json');
    await expect(readSnapshotFile(missing)).rejects.toMatchObject({
      code: 'SNAPSHOT_UNREADABLE',
      exitCode: 2,
      message: `${missing}: cannot read the snapshot: no such file`,
    });
    const bad = join(dir, 'bad.snapshot.json');
    await writeFile(bad, 'nope');
    await expect(readSnapshotFile(bad)).rejects.toMatchObject({ code: 'SNAPSHOT_INVALID', message: expect.stringContaining(bad) });
  });
});

describe('catalog value parsing', () => {
  it('reads a stored search_path as PostgreSQL does', () => {
    expect(parseSearchPath('""')).toEqual([]);
    expect(parseSearchPath('')).toEqual([]);
    expect(parseSearchPath('public, extensions')).toEqual(['public', 'extensions']);
    // One quoted identifier holding a comma is one schema.
    expect(parseSearchPath('"public, extensions"')).toEqual(['public, extensions']);
    expect(parseSearchPath('public, "My ""Odd"" Schema", "$user"')).toEqual(['public', 'My "Odd" Schema', '$user']);
  });

  it('builds routine and column keys with quoting only where needed', () => {
    expect(routineKey('app', 'paths', ['integer', 'text'])).toBe('app.paths(integer, text)');
    expect(routineKey('App', 'f', [])).toBe('"App".f()');
    expect(columnKey('Billing', 'Invoice Lines', 'Line No')).toBe('"Billing"."Invoice Lines"."Line No"');
    expect(columnKey('app', 'clients', 'id')).toBe('app.clients.id');
  });
});
