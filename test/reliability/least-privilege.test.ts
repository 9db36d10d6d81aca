import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { ensureRole } from '../support/evaluate.ts';
import { runCli, tempFiles } from '../support/cli.ts';
import { readReport, resultsOf, sql, STACK, tally } from './support.ts';
import { parseSnapshot } from '../../src/snapshot/serialize.ts';
import { readFileSync } from 'node:fs';

// Least privilege (issue #5, 6): `pgspec check` as a role that may only read (a member of
// pg_read_all_data), compared with the same check as the superuser. What the role may not do
// becomes `errored`, each with a message that says why; everything else reads the same.

const figures = tally('least-privilege');

const FIXTURE = `
CREATE TYPE public.mood AS ENUM ('ok', 'meh');
CREATE TABLE public.orders (id int PRIMARY KEY, total numeric(12,2) NOT NULL, mood public.mood);
INSERT INTO public.orders VALUES (1, 10, 'ok'), (2, 20, 'meh'), (3, 30, 'ok');
CREATE TABLE public.documents (id int PRIMARY KEY, owner text NOT NULL);
ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Owners read their documents" ON public.documents FOR SELECT USING (owner = current_user);
INSERT INTO public.documents VALUES (1, 'alice'), (2, 'bob'), (3, 'carol');
CREATE FUNCTION public.total_of(o int) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT total FROM public.orders WHERE id = o $$;
CREATE VIEW public.big_orders AS SELECT * FROM public.orders WHERE total > 15;
CREATE SEQUENCE public.invoice_no;
GRANT SELECT ON public.documents TO lp_authenticated;
`;

const SPEC = `name: least-privilege
post:
  - table: public.orders
    rows: 3
    columns:
      total: { type: "numeric(12,2)", nullable: false }
  - table: public.documents
    rows: 3
    rls: enabled
    policies: ["Owners read their documents"]
  - function: public.total_of(integer)
    returns: numeric
  - view: public.big_orders
  - enum: public.mood
    labels: [ok, meh]
  - sequence: public.invoice_no
  - query: select count(*) from public.orders
    equals: 3
  - query: select count(*) from public.documents
    as: { role: lp_authenticated }
    equals: 0
  - server:
      settings: { work_mem: 4MB }
  - server:
      settings: { data_directory: /var/lib/postgresql }
`;

let db: TestDatabase;
let readerUrl: string;
let dir: string;

beforeAll(async () => {
  await ensureRole('lp_authenticated');
  await ensureRole('lp_reader', "LOGIN PASSWORD 'reader-s3cret-pw' IN ROLE pg_read_all_data");
  db = await createTestDatabase(FIXTURE, 'least_priv');
  const u = new URL(db.url);
  u.username = 'lp_reader';
  u.password = 'reader-s3cret-pw';
  readerUrl = u.toString();
  dir = tempFiles({ 'lp.spec.yaml': SPEC });
});

afterAll(async () => {
  await db?.drop();
  figures.print();
});

describe('check as a role with only read grants (pg_read_all_data)', () => {
  it('as the superuser every expectation is evaluated', async () => {
    const report = join(dir, 'super.json');
    const run = await runCli(['check', join(dir, 'lp.spec.yaml'), '--target', db.url, '--reporter', `json:${report}`, '--quiet']);
    figures.figures.inputs++;
    const r = readReport(report);
    expect(r.summary.errored).toBe(0);
    // data_directory is a real path, not the one written: failed, but evaluated.
    expect(r.summary).toEqual({ passed: 9, failed: 1, errored: 0 });
    expect(run.code).toBe(1);
  });

  it('as the reader: the RLS count, the query as another role and a superuser-only setting are errored, saying why', async () => {
    const report = join(dir, 'reader.json');
    const run = await runCli(['check', join(dir, 'lp.spec.yaml'), '--target', readerUrl, '--reporter', `json:${report}`]);
    figures.figures.inputs++;
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toMatch(STACK);
    const r = readReport(report);
    const results = resultsOf(r);
    const errored = Object.values(results)
      .filter((x) => x.state === 'errored')
      .map((x) => x.message);
    expect(errored).toEqual([
      'table public.documents: cannot count the rows of public.documents: query would be affected by row-level security policy for table "documents": row level security applies to this role, so a count would silently miss rows; connect as the table owner or a role with BYPASSRLS',
      'query select count(*) from public.documents as lp_authenticated: permission denied to set role "lp_authenticated"',
      'server: setting data_directory was not recorded in this state',
    ]);
    expect(r.summary).toEqual({ passed: 7, failed: 0, errored: 3 });
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('7 passed, 0 failed, 3 errored');
  });

  it('the reader reads the same catalog as the superuser', async () => {
    const a = join(dir, 'super.snapshot.json');
    const b = join(dir, 'reader.snapshot.json');
    expect((await runCli(['snapshot', '--target', db.url, '-o', a])).code).toBe(0);
    expect((await runCli(['snapshot', '--target', readerUrl, '-o', b])).code).toBe(0);
    figures.figures.inputs += 2;
    const superuser = parseSnapshot(readFileSync(a, 'utf8'), a);
    const reader = parseSnapshot(readFileSync(b, 'utf8'), b);
    // Row counts differ where RLS applies: the superuser counted documents, the reader could not, and says why.
    expect(reader.rowCounts).toEqual({ 'public.orders': 3 });
    expect(reader.countErrors).toEqual({ 'public.documents': expect.stringMatching(/^query would be affected by row-level security policy/) });
    // Roles are the cluster's: other test files create and drop theirs between the two
    // snapshots, so roles are compared among those both saw (this file's own among them).
    const both = Object.keys(superuser.roles).filter((r) => r in reader.roles);
    expect(both).toEqual(expect.arrayContaining(Object.keys(superuser.roles).filter((r) => r.startsWith('lp_'))));
    const strip = (s: typeof superuser) => ({ ...s, rowCounts: {}, countErrors: undefined, roles: Object.fromEntries(both.map((r) => [r, s.roles[r]])) });
    expect(strip(reader)).toEqual(strip(superuser));
  });

  it('a role without read grants: every count is errored with the permission it lacks; the catalog still reads', async () => {
    await ensureRole('lp_nobody', "LOGIN PASSWORD 'reader-s3cret-pw'");
    await sql(db.url, `GRANT CONNECT ON DATABASE ${db.name} TO lp_nobody`);
    const u = new URL(readerUrl);
    u.username = 'lp_nobody';
    const report = join(dir, 'nobody.json');
    const run = await runCli(['check', join(dir, 'lp.spec.yaml'), '--target', u.toString(), '--reporter', `json:${report}`, '--quiet']);
    figures.figures.inputs++;
    expect(run.code).toBe(1);
    const results = resultsOf(readReport(report));
    expect(results['table public.orders']!.message).toBe(
      'table public.orders: cannot count the rows of public.orders: permission denied for table orders (grant the role pgspec connects as SELECT on it, or the pg_read_all_data role)',
    );
    expect(results['query select count(*) from public.orders']!.message).toBe('query select count(*) from public.orders: permission denied for table orders');
    expect(results['function public.total_of(integer)']!.state).toBe('passed');
  });
});
