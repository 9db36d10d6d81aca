import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedCluster } from '../../src/targets/embedded.ts';
import { openTarget } from '../../src/targets/open.ts';
import { runCli, tempFiles } from '../support/cli.ts';
import { fingerprint, readReport, resultsOf, sql, STACK, startDedicated, tally, writesBetween, type Fingerprint } from './support.ts';

// A spec full of writing queries runs against a live database; a fingerprint of everything the
// database holds (catalog, every row, every sequence, large objects), the next transaction id
// (on a server of its own with autovacuum off, nothing else assigns one) and the server's file
// system are compared before and after: nothing may change.

const figures = tally('read-only');

const FIXTURE = `
CREATE TABLE public.orders (id serial PRIMARY KEY, status text NOT NULL, total numeric(12,2) NOT NULL);
INSERT INTO public.orders (status, total) SELECT 'paid', g FROM generate_series(1, 50) g;
CREATE TABLE public.audit (id bigint GENERATED ALWAYS AS IDENTITY, note text);
CREATE SEQUENCE public.invoice_no;
CREATE MATERIALIZED VIEW public.totals AS SELECT status, sum(total) AS total FROM public.orders GROUP BY status;
CREATE FUNCTION public.log_note(note text) RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE id bigint; BEGIN INSERT INTO public.audit (note) VALUES (note) RETURNING audit.id INTO id; RETURN id; END $$;
CREATE FUNCTION public.bump() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('public.invoice_no') $$;
CREATE PROCEDURE public.purge() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM public.orders; COMMIT; END $$;
CREATE ROLE app_writer NOLOGIN;
GRANT ALL ON ALL TABLES IN SCHEMA public TO app_writer;
`;

const COPY_FILE = '/tmp/pgspec-reliability-copy-out.txt';

/** Every way a query could try to write, change the catalog, or reach beyond its transaction. */
const WRITES = [
  'insert into public.orders (status, total) values (\'new\', 1)',
  'update public.orders set total = 0',
  'delete from public.orders',
  'merge into public.orders o using (select 1 as id) s on o.id = s.id when matched then delete',
  'with gone as (delete from public.orders returning id) select count(*) from gone',
  'truncate public.orders',
  'create table public.intruder (id int)',
  'drop table public.orders',
  'alter table public.orders add column hacked boolean',
  'create index on public.orders (status)',
  'grant select on public.orders to public',
  'comment on table public.orders is \'pwned\'',
  'select public.log_note(\'written by a spec\')',
  'select public.bump()',
  "select nextval('public.invoice_no')",
  "select setval('public.invoice_no', 1000)",
  'call public.purge()',
  'do $$ begin delete from public.orders; end $$',
  'select * from public.orders for update',
  'lock table public.orders in access exclusive mode',
  'lock table public.orders in access share mode',
  'refresh materialized view public.totals',
  'analyze public.orders',
  'vacuum public.orders',
  'cluster public.orders using orders_pkey',
  'reindex table public.orders',
  `copy (select 1) to '${COPY_FILE}'`,
  'copy public.orders from stdin',
  'select lo_create(0)',
  'notify pgspec_channel',
  'listen pgspec_channel',
  'prepare sneaky as delete from public.orders',
  'set transaction read write',
  'commit; begin read write; delete from public.orders; commit',
  "select set_config('default_transaction_read_only', 'off', false)",
  'create temp table scratch (id int)',
  'alter system set work_mem = \'1GB\'',
  'checkpoint',
  "load 'auto_explain'",
];

/** A spec with one query entry per write, each also tried as another role. */
function writingSpec(): string {
  const entries = WRITES.flatMap((q) => [
    `  - query: ${JSON.stringify(q)}\n    count: 0`,
    `  - query: ${JSON.stringify(q)}\n    as: { role: app_writer }\n    count: 0`,
  ]);
  // Row counts beside the writes: the read side still works.
  return `name: writes\npost:\n${entries.join('\n')}\n  - table: public.orders\n    rows: 50\n`;
}

let cluster: EmbeddedCluster;
let url: string;
let before: Fingerprint;
let xidBefore: string;

const nextXid = async () => (await sql<{ x: string }>(url, 'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x'))[0]!.x;

beforeAll(async () => {
  cluster = await startDedicated();
  await sql(cluster.url(), 'ALTER SYSTEM SET autovacuum = off');
  await sql(cluster.url(), 'SELECT pg_reload_conf()');
  await cluster.createDatabase('shop');
  url = cluster.url('shop');
  await sql(url, FIXTURE);
  // Settle: hint bits and the like are not writes, but make the first read quiet.
  await sql(url, 'VACUUM (FREEZE, ANALYZE)');
  before = await fingerprint(url);
  xidBefore = await nextXid();
});

afterAll(async () => {
  await cluster?.stop();
  figures.print();
});

describe('a spec full of writing queries, against a live database', () => {
  it('errors every write with a clear message, changes nothing, and exits 1', async () => {
    const dir = tempFiles({ 'writes.spec.yaml': writingSpec() });
    const report = join(dir, 'report.json');
    const run = await runCli(['check', join(dir, 'writes.spec.yaml'), '--target', url, '--reporter', `json:${report}`, '--quiet']);
    figures.figures.inputs += WRITES.length * 2;
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(STACK);
    const r = readReport(report);
    const results = r.specs[0]!.results;
    const queries = results.filter((x) => x.kind === 'query');
    expect(queries).toHaveLength(WRITES.length * 2);
    for (const q of queries) {
      // set_config(..., false) is allowed and rolled back with the transaction: it writes nothing.
      if (q.object.includes('set_config')) {
        expect(q.state).toBe('failed');
        continue;
      }
      expect({ object: q.object, state: q.state }).toEqual({ object: q.object, state: 'errored' });
      expect(q.message).toMatch(/refused|permission denied|read-write mode must be set before any query|does not exist|single statement|cannot run inside a transaction block|cannot be executed from a function|invalid transaction termination/);
    }
    const message = (sqlText: string) => queries.find((x) => x.object === `query ${sqlText}`)?.message;
    expect(message('delete from public.orders')).toBe(
      'query delete from public.orders: refused: the query tried to write (cannot execute DELETE in a read-only transaction); pgspec runs queries read-only',
    );
    expect(message("select public.log_note('written by a spec')")).toContain('refused: the query tried to write (cannot execute INSERT in a read-only transaction)');
    expect(message(`copy (select 1) to '${COPY_FILE}'`)).toContain('refused: COPY is not allowed in a spec query');
    expect(message('analyze public.orders')).toContain('refused: VACUUM/ANALYZE is not allowed in a spec query');
    expect(message('lock table public.orders in access share mode')).toContain('refused: LOCK is not allowed in a spec query');
    expect(resultsOf(r)['table public.orders']!.state).toBe('passed');
  });

  it('the database is exactly as before: catalog, rows, sequences, large objects, transaction ids, files', async () => {
    const after = await fingerprint(url);
    const writes = writesBetween(before, after);
    if ((await nextXid()) !== xidBefore) writes.push(`a transaction id was assigned: ${xidBefore} -> ${await nextXid()}`);
    if (existsSync(COPY_FILE)) writes.push(`${COPY_FILE} was written`);
    figures.figures.writes += writes.length;
    expect(writes).toEqual([]);
    expect(after.tables['public.orders']).toMatch(/^50:/);
  });

  it('no session is left holding a lock, and pgspec left no connection open', async () => {
    // The same pool runs the advisory lock query and a second query after it: DISCARD ALL in between releases the lock.
    await using target = await openTarget(url, { concurrency: 1 });
    const snap = await target.capture(
      { rowPatterns: [], settings: [], queries: [{ sql: 'select pg_advisory_lock(4242)' }, { sql: 'select count(*) from pg_locks where locktype = \'advisory\'' }] },
      { counts: 'exact' },
    );
    expect(snap.queries["select count(*) from pg_locks where locktype = 'advisory'"]).toEqual({ ok: true, columns: ['count'], rows: [['0']] });
    figures.figures.inputs += 2;
  });

  it('sessions are read-only, time-limited, named pgspec, and closed when idle', async () => {
    await using target = await openTarget(url, { concurrency: 3, statementTimeoutMs: 12_345 });
    const probe = "select current_setting('default_transaction_read_only') ro, current_setting('statement_timeout') st, current_setting('lock_timeout') lt, current_setting('application_name') app, current_setting('row_security') rs";
    const snap = await target.capture({ rowPatterns: [], settings: [], queries: [{ sql: probe }] }, { counts: 'exact' });
    // Inside a spec query row security is back on: queries see what their role may see.
    expect(snap.queries[probe]).toEqual({ ok: true, columns: ['ro', 'st', 'lt', 'app', 'rs'], rows: [['on', '12345ms', '5s', 'pgspec', 'on']] });
    await new Promise((r) => setTimeout(r, 1_500));
    const open = await sql<{ n: string }>(cluster.url(), "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pgspec'");
    expect(open[0]!.n).toBe('0');
  });

  it('--concurrency bounds the connections pgspec opens', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => `  - query: select pg_sleep(0.4), ${i}\n    count: 1`).join('\n');
    const dir = tempFiles({ 'c.spec.yaml': `name: concurrency\npost:\n${entries}\n  - table: public.orders\n    rows: 50\n` });
    let max = 0;
    let done = false;
    const running = runCli(['check', join(dir, 'c.spec.yaml'), '--target', url, '--concurrency', '2', '--quiet']).finally(() => {
      done = true;
    });
    while (!done) {
      const [row] = await sql<{ n: string }>(cluster.url(), "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pgspec'");
      max = Math.max(max, Number(row!.n));
      await new Promise((r) => setTimeout(r, 20));
    }
    const run = await running;
    figures.figures.inputs += 7;
    expect(run.code).toBe(0);
    expect(max).toBe(2);
  });

  it('URL parameters cannot loosen the session rules', async () => {
    const loose = `${url}?options=${encodeURIComponent('-c default_transaction_read_only=off -c statement_timeout=0')}&statement_timeout=0&application_name=other`;
    await using target = await openTarget(loose, { concurrency: 1 });
    const probe = "select current_setting('default_transaction_read_only') ro, current_setting('statement_timeout') st, current_setting('application_name') app";
    const snap = await target.capture({ rowPatterns: [], settings: [], queries: [{ sql: probe }, { sql: 'delete from public.orders' }] }, { counts: 'exact' });
    expect(snap.queries[probe]).toEqual({ ok: true, columns: ['ro', 'st', 'app'], rows: [['on', '1min', 'pgspec']] });
    expect(snap.queries['delete from public.orders']).toMatchObject({ ok: false });
    figures.figures.inputs += 2;
  });
});
