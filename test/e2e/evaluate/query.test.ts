import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSqlParser } from '../../../src/check/sql-text.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { captureState, ensureRole, outcome } from '../../support/evaluate.ts';

// Acceptance matrix (issue #2) for query: equals, rows (lists and objects), count, empty,
// preserved, `as` a role with JWT claims exercising a real RLS policy, and writes refused.
// Every query runs once per captured state; the expectations are evaluated in memory.

const USER_A = '0b9a6c1e-0000-4000-8000-00000000000a';
const USER_B = '0b9a6c1e-0000-4000-8000-00000000000b';

const FIXTURE = `
-- What Supabase's auth.uid() does: the subject of the request's JWT.
CREATE SCHEMA auth;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
GRANT USAGE ON SCHEMA auth TO authenticated;

CREATE TABLE public.documents (
  id    serial PRIMARY KEY,
  owner uuid NOT NULL,
  title text NOT NULL
);
ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own documents" ON public.documents FOR SELECT TO authenticated
  USING (owner = auth.uid());
GRANT SELECT ON public.documents TO authenticated;
INSERT INTO public.documents (owner, title) VALUES
  ('${USER_A}', 'A: contract'), ('${USER_A}', 'A: invoice'), ('${USER_B}', 'B: passport');

CREATE TABLE public.orders (
  id        integer PRIMARY KEY,
  client_id integer,
  status    text NOT NULL,
  total     numeric(12,2) NOT NULL,
  paid      boolean NOT NULL,
  placed_on date NOT NULL
);
INSERT INTO public.orders VALUES
  (1, 10, 'paid',    10.00, true,  '2024-05-01'),
  (2, 10, 'new',     25.50, false, '2024-05-02'),
  (3, 11, 'paid',    99.99, true,  '2024-05-03'),
  (4, 12, 'shipped',  5.00, true,  '2024-05-04');
CREATE SEQUENCE public.invoice_no;
`;

/** The migration between the pre and the post state. */
const MIGRATION = `UPDATE public.orders SET status = 'shipped' WHERE id = 3;`;

// The queries of this file, as spec text. Each is run once per captured state.
const NO_CLIENT = 'select count(*) from public.orders where client_id is null';
const TOTAL_PAID = 'select sum(total) from public.orders where paid';
const FIRST_TOTAL = 'select total from public.orders where id = 1';
const ORDERS = 'select id, status, total, paid, placed_on from public.orders order by id limit 2';
const PAID_IDS = "select id from public.orders where status = 'paid'";
const NEGATIVE = 'select id from public.orders where total < 0';
const BY_STATUS = 'select status, count(*) from public.orders group by status order by status';
const DOCUMENT_TITLES = 'select title from public.documents order by title';
const WHO_AM_I = "select auth.uid() as uid, current_user as role, current_setting('request.jwt.claims', true)::jsonb ->> 'email' as email";
const MISSING_TABLE = 'select * from public.invoices';
const DELETE_ALL = 'delete from public.orders';
const DELETE_IN_CTE = 'with gone as (delete from public.orders returning id) select count(*) from gone';
const NEXTVAL = "select nextval('public.invoice_no')";
const ESCAPE = 'commit; begin read write; delete from public.orders where id = 2; commit; select count(*) from public.orders';
const READ_WRITE = 'set transaction read write';

const AS_A = `{ role: authenticated, claims: { sub: "${USER_A}", email: a@example.com } }`;
const AS_B = `{ role: authenticated, claims: { sub: "${USER_B}" } }`;
const AS_NOBODY = '{ role: authenticated }';

/** One YAML query entry: the SQL, optionally the role it runs as, then the properties. */
const query = (sql: string, props: string, as?: string) =>
  `- query: ${JSON.stringify(sql)}\n${as ? `  as: ${as}\n` : ''}${props
    .trim()
    .split('\n')
    .map((l) => `  ${l.trim()}`)
    .join('\n')}`;

/** Everything the capture must run: each query with the role it is asserted as. */
const CAPTURED = [
  ...[NO_CLIENT, TOTAL_PAID, FIRST_TOTAL, ORDERS, PAID_IDS, NEGATIVE, BY_STATUS, DOCUMENT_TITLES, MISSING_TABLE, DELETE_ALL, DELETE_IN_CTE, NEXTVAL, ESCAPE, READ_WRITE].map((sql) =>
    query(sql, 'count: 0'),
  ),
  ...[AS_A, AS_B, AS_NOBODY].flatMap((as) => [query(DOCUMENT_TITLES, 'count: 0', as), query(WHO_AM_I, 'count: 0', as)]),
];

let db: TestDatabase;
let pre: Snapshot;
let post: Snapshot;

beforeAll(async () => {
  await initSqlParser();
  await ensureRole('authenticated');
  db = await createTestDatabase(FIXTURE, 'eval_query');
  pre = await captureState(db.url, CAPTURED);
  await db.exec(MIGRATION);
  post = await captureState(db.url, [...CAPTURED, '- { table: public.orders, rows: 4 }']);
});

afterAll(async () => {
  await db?.drop();
});

describe('query: equals', () => {
  it('a scalar; a bigint count compares with a YAML number', () => {
    expect(outcome(query(NO_CLIENT, 'equals: 0'), post)).toEqual({
      state: 'passed',
      message: `query ${NO_CLIENT} as expected`,
    });
    expect(outcome(query(NO_CLIENT, 'equals: 1'), post)).toEqual({
      state: 'failed',
      message: `query ${NO_CLIENT}: returned 0, expected 1`,
    });
  });

  it('a numeric result compares by value', () => {
    expect(outcome(query(TOTAL_PAID, 'equals: 114.99'), post)).toEqual({ state: 'passed', message: `query ${TOTAL_PAID} as expected` });
    expect(outcome(query(TOTAL_PAID, 'equals: 114.990'), post)).toEqual({ state: 'passed', message: `query ${TOTAL_PAID} as expected` });
    expect(outcome(query(TOTAL_PAID, 'equals: "114.99"'), post)).toEqual({ state: 'passed', message: `query ${TOTAL_PAID} as expected` });
    expect(outcome(query(TOTAL_PAID, 'equals: 115'), post)).toEqual({
      state: 'failed',
      message: `query ${TOTAL_PAID}: returned 114.99, expected 115`,
    });
  });

  it('a number written in the spec equals a numeric(12,2) result with trailing zeros', () => {
    expect(outcome(query(FIRST_TOTAL, 'equals: 10'), post)).toEqual({ state: 'passed', message: `query ${FIRST_TOTAL} as expected` });
    expect(outcome(query(FIRST_TOTAL, 'equals: "10.00"'), post)).toEqual({ state: 'passed', message: `query ${FIRST_TOTAL} as expected` });
    expect(outcome(query(FIRST_TOTAL, 'equals: 10.5'), post)).toEqual({
      state: 'failed',
      message: `query ${FIRST_TOTAL}: returned 10.00, expected 10.5`,
    });
    expect(outcome(query(FIRST_TOTAL, 'equals: ten'), post)).toEqual({
      state: 'failed',
      message: `query ${FIRST_TOTAL}: returned 10.00, expected "ten"`,
    });
  });

  it('equals needs exactly one row', () => {
    expect(outcome(query(PAID_IDS, 'equals: 1'), post)).toEqual({ state: 'passed', message: `query ${PAID_IDS} as expected` });
    expect(outcome(query(ORDERS, 'equals: 1'), post)).toEqual({
      state: 'failed',
      message: `query ${ORDERS.slice(0, 57)}...: returned 2 rows, expected one row with 1`,
    });
  });
});

describe('query: rows', () => {
  it('as lists, in column order', () => {
    const rows = `
      rows:
        - [1, paid, 10.00, true, "2024-05-01"]
        - [2, new, 25.50, false, "2024-05-02"]
    `;
    expect(outcome(query(ORDERS, rows), post)).toEqual({ state: 'passed', message: `query ${ORDERS.slice(0, 57)}... as expected` });
    const wrong = `
      rows:
        - [1, paid, 10.00, true, "2024-05-01"]
        - [2, paid, 25.50, false, "2024-05-02"]
    `;
    expect(outcome(query(ORDERS, wrong), post)).toEqual({
      state: 'failed',
      message: `query ${ORDERS.slice(0, 57)}...: returned [{"id":1,"status":"paid","total":"10.00","paid":true,"placed_on":"2024-05-01"},{"id":2,"status":"new","total":"25.50","paid":false,"placed_on":"2024-05-02"}], expected [[1,"paid",10,true,"2024-05-01"],[2,"paid",25.5,false,"2024-05-02"]]`,
    });
  });

  it('as objects keyed by column name', () => {
    const rows = `
      rows:
        - { id: 1, status: paid, total: "10.00", paid: true, placed_on: "2024-05-01" }
        - { placed_on: "2024-05-02", paid: false, total: 25.5, status: new, id: 2 }
    `;
    expect(outcome(query(ORDERS, rows), post)).toEqual({ state: 'passed', message: `query ${ORDERS.slice(0, 57)}... as expected` });
    const missingColumn = `
      rows:
        - { id: 1, status: paid, total: "10.00", paid: true }
        - { id: 2, status: new, total: "25.50", paid: false }
    `;
    expect(outcome(query(ORDERS, missingColumn), post)).toEqual({
      state: 'failed',
      message: `query ${ORDERS.slice(0, 57)}...: returned [{"id":1,"status":"paid","total":"10.00","paid":true,"placed_on":"2024-05-01"},{"id":2,"status":"new","total":"25.50","paid":false,"placed_on":"2024-05-02"}], expected [{"id":1,"status":"paid","total":"10.00","paid":true},{"id":2,"status":"new","total":"25.50","paid":false}]`,
    });
  });

  it('the number of rows must match too', () => {
    const r = outcome(query(ORDERS, 'rows: [[1, paid, 10.00, true, "2024-05-01"]]'), post);
    expect(r.state).toBe('failed');
    expect(r.message).toContain('expected [[1,"paid",10,true,"2024-05-01"]]');
  });
});

describe('query: count and empty', () => {
  it('count', () => {
    expect(outcome(query(PAID_IDS, 'count: 1'), post)).toEqual({ state: 'passed', message: `query ${PAID_IDS} as expected` });
    expect(outcome(query(PAID_IDS, 'count: 2'), post)).toEqual({
      state: 'failed',
      message: `query ${PAID_IDS}: returned 1 row, expected 2`,
    });
  });

  it('empty: true and false', () => {
    expect(outcome(query(NEGATIVE, 'empty: true'), post)).toEqual({ state: 'passed', message: `query ${NEGATIVE} as expected` });
    expect(outcome(query(PAID_IDS, 'empty: false'), post)).toEqual({ state: 'passed', message: `query ${PAID_IDS} as expected` });
    expect(outcome(query(PAID_IDS, 'empty: true'), post)).toEqual({
      state: 'failed',
      message: `query ${PAID_IDS}: returned 1 row, expected none: [{"id":1}]`,
    });
    expect(outcome(query(NEGATIVE, 'empty: false'), post)).toEqual({
      state: 'failed',
      message: `query ${NEGATIVE}: returned no rows, expected some`,
    });
  });
});

describe('query: preserved', () => {
  it('the whole result equals the one of the pre state', () => {
    expect(outcome(query(DOCUMENT_TITLES, 'preserved: true'), post, pre)).toEqual({
      state: 'passed',
      message: `query ${DOCUMENT_TITLES} as expected`,
    });
    expect(outcome(query(BY_STATUS, 'preserved: true'), post, pre)).toEqual({
      state: 'failed',
      message: `query ${BY_STATUS.slice(0, 57)}...: result changed: before [{"status":"new","count":"1"},{"status":"paid","count":"2"},{"status":"shipped","count":"1"}], now [{"status":"new","count":"1"},{"status":"paid","count":"1"},{"status":"shipped","count":"2"}]`,
    });
  });

  it('preserved without a pre state is errored', () => {
    expect(outcome(query(BY_STATUS, 'preserved: true'), post)).toEqual({
      state: 'errored',
      message: `query ${BY_STATUS.slice(0, 57)}...: preserved needs the pre state (--baseline)`,
    });
  });
});

describe('query: as a role with JWT claims (RLS exercised for real)', () => {
  it('user A sees only their own documents', () => {
    expect(outcome(query(DOCUMENT_TITLES, 'rows: [["A: contract"], ["A: invoice"]]', AS_A), post)).toEqual({
      state: 'passed',
      message: `query ${DOCUMENT_TITLES} as authenticated as expected`,
    });
    expect(outcome(query(DOCUMENT_TITLES, 'rows: [["A: contract"], ["A: invoice"], ["B: passport"]]', AS_A), post)).toEqual({
      state: 'failed',
      message: `query ${DOCUMENT_TITLES} as authenticated: returned [{"title":"A: contract"},{"title":"A: invoice"}], expected [["A: contract"],["A: invoice"],["B: passport"]]`,
    });
  });

  it('user B sees only theirs; without claims nobody sees anything; the owner sees all', () => {
    expect(outcome(query(DOCUMENT_TITLES, 'rows: [["B: passport"]]', AS_B), post)).toEqual({
      state: 'passed',
      message: `query ${DOCUMENT_TITLES} as authenticated as expected`,
    });
    expect(outcome(query(DOCUMENT_TITLES, 'empty: true', AS_NOBODY), post)).toEqual({
      state: 'passed',
      message: `query ${DOCUMENT_TITLES} as authenticated as expected`,
    });
    expect(outcome(query(DOCUMENT_TITLES, 'count: 1', AS_B), post)).toEqual({
      state: 'passed',
      message: `query ${DOCUMENT_TITLES} as authenticated as expected`,
    });
    expect(outcome(query(DOCUMENT_TITLES, 'count: 3', AS_B), post)).toEqual({
      state: 'failed',
      message: `query ${DOCUMENT_TITLES} as authenticated: returned 1 row, expected 3`,
    });
    expect(outcome(query(DOCUMENT_TITLES, 'count: 3'), post)).toEqual({
      state: 'passed',
      message: `query ${DOCUMENT_TITLES} as expected`,
    });
  });

  it('the role is set and the claims are readable as auth.uid() and request.jwt.claims', () => {
    expect(outcome(query(WHO_AM_I, `rows: [{ uid: "${USER_A}", role: authenticated, email: a@example.com }]`, AS_A), post)).toEqual({
      state: 'passed',
      message: `query ${WHO_AM_I.slice(0, 57)}... as authenticated as expected`,
    });
    expect(outcome(query(WHO_AM_I, `rows: [[null, authenticated, null]]`, AS_NOBODY), post)).toEqual({
      state: 'passed',
      message: `query ${WHO_AM_I.slice(0, 57)}... as authenticated as expected`,
    });
    const r = outcome(query(WHO_AM_I, `rows: [["${USER_A}", authenticated, null]]`, AS_B), post);
    expect(r.state).toBe('failed');
    expect(r.message).toContain(`returned [{"uid":"${USER_B}","role":"authenticated","email":null}]`);
  });
});

describe('query: errors', () => {
  it('a query that fails in PostgreSQL is errored with its message', () => {
    expect(outcome(query(MISSING_TABLE, 'empty: true'), post)).toEqual({
      state: 'errored',
      message: `query ${MISSING_TABLE}: relation "public.invoices" does not exist`,
    });
  });

  it('a query the state holds no result for is errored', () => {
    expect(outcome(query('select 1', 'equals: 1'), post)).toEqual({
      state: 'errored',
      message: 'query select 1: no result recorded (a snapshot holds no data unless taken with --spec)',
    });
  });
});

describe('query: writes are refused', () => {
  it('delete from t is errored as a refused write, and the rows are still there', async () => {
    expect(outcome(query(DELETE_ALL, 'count: 0'), post)).toEqual({
      state: 'errored',
      message: `query ${DELETE_ALL}: refused: the query tried to write (cannot execute DELETE in a read-only transaction); pgspec runs queries read-only`,
    });
    expect(outcome('- { table: public.orders, rows: 4 }', post)).toEqual({ state: 'passed', message: 'table public.orders as expected' });
    const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM public.orders');
    expect(row!.n).toBe('4');
  });

  it('a write hidden in a CTE, and nextval(), are refused too', async () => {
    expect(outcome(query(DELETE_IN_CTE, 'equals: 0'), post)).toEqual({
      state: 'errored',
      // PostgreSQL names the top-level statement.
      message: `query ${DELETE_IN_CTE.slice(0, 57)}...: refused: the query tried to write (cannot execute SELECT in a read-only transaction); pgspec runs queries read-only`,
    });
    expect(outcome(query(NEXTVAL, 'equals: 1'), post)).toEqual({
      state: 'errored',
      message: `query ${NEXTVAL}: refused: the query tried to write (cannot execute nextval() in a read-only transaction); pgspec runs queries read-only`,
    });
    const [row] = await db.query<{ called: boolean }>('SELECT is_called AS called FROM public.invoice_no');
    expect(row!.called).toBe(false);
  });

  it('a query that tries to leave the read-only transaction is refused, and nothing is deleted', async () => {
    expect(outcome(query(ESCAPE, 'equals: 3'), post)).toEqual({
      state: 'errored',
      message: `query ${ESCAPE.slice(0, 57)}...: refused: a spec query must be a single statement`,
    });
    expect(outcome(query(READ_WRITE, 'empty: true'), post)).toMatchObject({ state: 'errored' });
    expect(outcome(query(READ_WRITE, 'empty: true'), post).message).toMatch(/read-write mode must be set before any query/);
    const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM public.orders WHERE id = 2');
    expect(row!.n).toBe('1');
  });
});
