import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initSqlParser } from '../../src/check/sql-text.ts';
import { runCheck } from '../../src/run/check.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { openTarget } from '../../src/targets/open.ts';
import { freePort, type EmbeddedCluster } from '../../src/targets/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli, tempFiles, type CliRun } from '../support/cli.ts';
import { readReport, resultsOf, sql, STACK, startDedicated, tally, type Report } from './support.ts';

// Every fault of issue #5 (4), injected for real: the exit code, the message (console and
// stderr) and the written report are asserted for each. Servers tests start listen on
// 127.0.0.1 only; the unknown host is under the reserved .invalid domain and never resolves.

const figures = tally('faults');

const FIXTURE = `
CREATE TABLE public.orders (id int PRIMARY KEY, total numeric NOT NULL);
INSERT INTO public.orders SELECT g, g FROM generate_series(1, 20) g;
CREATE TABLE public.held (id int);
INSERT INTO public.held VALUES (1), (2), (3);
CREATE TABLE public.payroll (id int, salary numeric);
INSERT INTO public.payroll VALUES (1, 100);
`;

const SPEC = `name: faults
post:
  - table: public.orders
    rows: 20
  - table: public.held
    rows: 3
  - query: select count(*) from public.orders
    equals: 20
`;

/** Runs `pgspec check` with a json report; the fault's message must be in both. */
async function check(target: string, spec = SPEC, extra: string[] = []): Promise<{ run: CliRun; report: Report; reportText: string }> {
  const dir = tempFiles({ 'f.spec.yaml': spec });
  const path = join(dir, 'report.json');
  const run = await runCli(['check', join(dir, 'f.spec.yaml'), '--target', target, '--reporter', 'console', '--reporter', `json:${path}`, ...extra]);
  expect(existsSync(path)).toBe(true);
  expect(run.stdout + run.stderr).not.toMatch(STACK);
  const reportText = readFileSync(path, 'utf8');
  return { run, report: readReport(path), reportText };
}

/** Asserts an exit-3 run: the message on stderr, in the console report and in the json report's error. */
function expectUnusable(r: Awaited<ReturnType<typeof check>>, code: string, message: string) {
  expect(r.run.code).toBe(3);
  expect(r.report.error).toEqual({ code, message });
  expect(r.run.stderr).toContain(`pgspec: ${message}\n`);
  expect(r.run.stdout).toContain(`error: ${message}`);
  expect(r.report.summary).toEqual({ passed: 0, failed: 0, errored: 0 });
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP listener on loopback that accepts connections and never answers them. */
async function silentListener(): Promise<{ port: number; sockets: Socket[]; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  return {
    port: (silent.address() as { port: number }).port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    },
  };
}

/** A session that holds a lock until released: what a migration in progress does. */
async function holdLock(url: string, statement: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query(statement);
  return { release: () => client.end().catch(() => undefined) };
}

/** pgspec's sessions on a database that wait for a lock. */
const waitingPids = (adminUrl: string, database: string) =>
  sql<{ pid: number }>(adminUrl, `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pgspec' AND wait_event_type = 'Lock'`, [database]);

let db: TestDatabase;
let adminUrl: string;
const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

beforeAll(async () => {
  await initSqlParser();
  db = await createTestDatabase(FIXTURE, 'faults');
  adminUrl = db.url.replace(/\/[^/]*$/, '/postgres');
});

afterAll(async () => {
  await db?.drop();
  figures.print();
});

// Each test injects one fault.
beforeEach(() => {
  figures.figures.faults++;
});

describe('the target cannot be used at all: exit 3 and a report that says why', () => {
  it('nothing listens on the port', async () => {
    const port = await freePort();
    const r = await check(`postgres://alice:s3cret-pw@127.0.0.1:${port}/app`);
    expectUnusable(r, 'TARGET_UNREACHABLE', `cannot connect to postgres://alice:****@127.0.0.1:${port}/app: connection refused (is the server running and listening there?)`);
    expect(r.report.target).toBe(`postgres://alice:****@127.0.0.1:${port}/app`);
  });

  it('the password is wrong', async () => {
    const url = withPassword(db.url, 'wr0ng-s3cret-pw');
    const r = await check(url);
    const shown = url.replace('wr0ng-s3cret-pw', '****');
    expectUnusable(r, 'TARGET_AUTH', `cannot connect to ${shown}: password authentication failed for user "postgres" (check the password in the URL, PGPASSWORD or the password file)`);
    expect(r.run.stdout + r.run.stderr + r.reportText).not.toContain('wr0ng-s3cret-pw');
  });

  it('the host name does not resolve', async () => {
    const r = await check('postgres://alice:s3cret-pw@db.pgspec-test.invalid:5432/app');
    expectUnusable(
      r,
      'TARGET_UNREACHABLE',
      'cannot connect to postgres://alice:****@db.pgspec-test.invalid:5432/app: unknown host "db.pgspec-test.invalid" (the name does not resolve; check the host in the URL)',
    );
  });

  it('the database does not exist', async () => {
    const url = db.url.replace(/\/[^/]*$/, '/no_such_db');
    const r = await check(url);
    expectUnusable(r, 'TARGET_UNREACHABLE', `cannot connect to ${url.replace(/:[^:@/]*@/, ':****@')}: database "no_such_db" does not exist`);
  });

  it('something listens but never answers: the connection times out', async () => {
    const { port, close } = await silentListener();
    try {
      const specs = await loadSpecs([join(tempFiles({ 's.spec.yaml': SPEC }), 's.spec.yaml')]);
      const run = await runCheck(specs, { target: `postgres://alice:s3cret-pw@127.0.0.1:${port}/app`, phase: 'post', counts: 'exact', live: { connectTimeoutMs: 500 } });
      expect(run.error).toEqual({
        code: 'TARGET_UNREACHABLE',
        message: `cannot connect to postgres://alice:****@127.0.0.1:${port}/app: no answer within 500 ms (connection timed out: is this a PostgreSQL server, and is a firewall dropping the traffic?)`,
      });
    } finally {
      await close();
    }
  });

  it('a live target that is never captured is closed without waiting for a server that does not answer', async () => {
    // A target starts opening its first session when it is opened (liveTarget); one whose
    // capture never comes (the caller failed first) must not hold its caller up until the
    // connection times out.
    const { port, sockets, close } = await silentListener();
    try {
      const target = await openTarget(`postgres://alice:s3cret-pw@127.0.0.1:${port}/app`, { connectTimeoutMs: 30_000 });
      await waitFor('the first session to be opening', async () => (sockets.length > 0 ? true : undefined));
      await target[Symbol.asyncDispose]();
      // Disposed while the connection attempt is still waiting for an answer.
      expect(sockets.some((s) => !s.destroyed)).toBe(true);
    } finally {
      await close();
    }
  });

  it('the catalog cannot be read because the session is killed while reading it', async () => {
    // A session holding pg_policy exclusively makes pgspec's catalog read wait; then it is terminated.
    const lock = await holdLock(db.url, 'LOCK TABLE pg_catalog.pg_policy IN ACCESS EXCLUSIVE MODE');
    try {
      const running = check(db.url);
      const pids = await waitFor('pgspec to wait for the catalog lock', async () => {
        const p = await waitingPids(adminUrl, db.name);
        return p.length > 0 ? p : undefined;
      });
      await sql(adminUrl, 'SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids.map((p) => p.pid)]);
      const r = await running;
      expectUnusable(
        r,
        'TARGET_LOST',
        `could not read the catalog of ${db.url.replace(/:[^:@/]*@/, ':****@')}: the connection was lost (terminating connection due to administrator command): the server was restarted, stopped, or ended the session`,
      );
    } finally {
      await lock.release();
    }
  });
});

describe('TLS', () => {
  let cluster: EmbeddedCluster;
  let hasCert = false;
  beforeAll(async () => {
    cluster = await startDedicated();
    // Only hostssl lines: the server turns every unencrypted connection away.
    writeFileSync(join(cluster.dataDir, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 scram-sha-256\n');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pgspec-test', '-keyout', join(cluster.dataDir, 'server.key'), '-out', join(cluster.dataDir, 'server.crt')], { stdio: 'ignore' });
      const owner = statSync(cluster.dataDir);
      for (const f of ['server.key', 'server.crt']) chownSync(join(cluster.dataDir, f), owner.uid, owner.gid);
      execFileSync('chmod', ['600', join(cluster.dataDir, 'server.key')]);
      hasCert = true;
    } catch {
      hasCert = false;
    }
    // pg_hba.conf is read on reload; ssl can be turned on by reload too (with a certificate).
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    try {
      if (hasCert) await admin.query('ALTER SYSTEM SET ssl = on');
      await admin.query('SELECT pg_reload_conf()');
    } finally {
      await admin.end();
    }
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a server that demands TLS: exit 3, suggesting ?sslmode=require', async () => {
    const r = await check(cluster.url());
    const shown = cluster.url().replace(cluster.password, '****');
    expectUnusable(
      r,
      'TARGET_TLS_REQUIRED',
      `cannot connect to ${shown}: the server accepts only encrypted (TLS) connections from here (no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "postgres", no encryption); add ?sslmode=require to the URL (or sslmode=verify-full with sslrootcert=CA_FILE to also check the server's certificate)`,
    );
  });

  it('?sslmode=require connects encrypted (libpq meaning: no certificate check); verify-full checks the certificate', async (ctx) => {
    if (!hasCert) {
      console.log('TLS connection test skipped: openssl could not make a certificate on this machine');
      ctx.skip();
    }
    const require = await check(`${cluster.url()}?sslmode=require`, 'name: tls\npost:\n  - query: select ssl from pg_stat_ssl where pid = pg_backend_pid()\n    equals: true\n');
    expect(require.run.code).toBe(0);
    expect(require.report.summary).toEqual({ passed: 1, failed: 0, errored: 0 });
    const full = await check(`${cluster.url()}?sslmode=verify-full`);
    expect(full.run.code).toBe(3);
    expect(full.report.error?.code).toBe('TARGET_TLS');
    expect(full.report.error?.message).toMatch(/the server's TLS certificate was not accepted \(self[- ]signed certificate\); give its CA with sslrootcert=FILE, or use sslmode=require/);
  });

  it('?sslmode=require against a server without TLS: exit 3, saying so', async () => {
    const url = `${db.url}?sslmode=require`;
    const r = await check(url);
    expectUnusable(
      r,
      'TARGET_TLS',
      `cannot connect to ${url.replace(/:[^:@/]*@/, ':****@')}: the server does not accept TLS connections, but the URL asks for sslmode=require; use sslmode=disable, or turn ssl on in the server`,
    );
  });
});

describe('the run goes on: what could not be read is errored (exit 1), with a report', () => {
  it('a count that runs past --statement-timeout (a table held by a migration) is errored: statement timeout', async () => {
    const lock = await holdLock(db.url, 'LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE');
    try {
      const spec = `${SPEC}  - query: select pg_sleep(5)\n    count: 1\n`;
      const r = await check(db.url, spec, ['--statement-timeout', '1s']);
      expect(r.run.code).toBe(1);
      const results = resultsOf(r.report);
      expect(results['table public.held']).toMatchObject({
        state: 'errored',
        message:
          'table public.held: cannot count the rows of public.held: statement timeout: it ran longer than statement_timeout (1 s); raise --statement-timeout, or use --counts estimate',
      });
      expect(results['query select pg_sleep(5)']).toMatchObject({
        state: 'errored',
        message: 'query select pg_sleep(5): statement timeout: it ran longer than statement_timeout (1 s); raise --statement-timeout',
      });
      expect(results['table public.orders']!.state).toBe('passed');
      expect(r.report.summary).toEqual({ passed: 2, failed: 0, errored: 2 });
      expect(r.run.stdout.trimEnd().split('\n').at(-1)).toBe('2 passed, 0 failed, 2 errored');
      expect(r.run.stdout).toContain('cannot count the rows of public.held: statement timeout');
    } finally {
      await lock.release();
    }
  });

  it('a count that waits for a lock longer than lock_timeout is errored: lock timeout', async () => {
    const lock = await holdLock(db.url, 'LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE');
    try {
      const r = await check(db.url);
      expect(r.run.code).toBe(1);
      expect(resultsOf(r.report)['table public.held']).toMatchObject({
        state: 'errored',
        message:
          'table public.held: cannot count the rows of public.held: lock timeout: another session held a conflicting lock for longer than lock_timeout (5 s); pgspec does not wait for locks on a live database',
      });
      expect(r.report.summary).toEqual({ passed: 2, failed: 0, errored: 1 });
    } finally {
      await lock.release();
    }
  });

  it('permission denied on one table: that count is errored, naming the table and the grant', async () => {
    await sql(adminUrl, `DO $$ BEGIN CREATE ROLE reliability_reader LOGIN PASSWORD 'reader-s3cret-pw'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    await db.exec('GRANT SELECT ON public.orders, public.held TO reliability_reader');
    const u = new URL(db.url);
    u.username = 'reliability_reader';
    u.password = 'reader-s3cret-pw';
    const spec = `${SPEC}  - table: public.payroll\n    rows: 1\n  - query: select count(*) from public.payroll\n    equals: 1\n`;
    const r = await check(u.toString(), spec);
    expect(r.run.code).toBe(1);
    const results = resultsOf(r.report);
    expect(results['table public.payroll']).toMatchObject({
      state: 'errored',
      message:
        'table public.payroll: cannot count the rows of public.payroll: permission denied for table payroll (grant the role pgspec connects as SELECT on it, or the pg_read_all_data role)',
    });
    expect(results['query select count(*) from public.payroll']).toMatchObject({ state: 'errored', message: 'query select count(*) from public.payroll: permission denied for table payroll' });
    expect(r.report.summary).toEqual({ passed: 3, failed: 0, errored: 2 });
    expect(r.run.stdout + r.run.stderr + r.reportText).not.toContain('reader-s3cret-pw');
  });

  it('a session killed mid-run (pg_terminate_backend): its count is errored, the rest is read', async () => {
    const lock = await holdLock(db.url, 'LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE');
    try {
      const running = check(db.url);
      const pids = await waitFor('pgspec to wait for public.held', async () => {
        const p = await waitingPids(adminUrl, db.name);
        return p.length > 0 ? p : undefined;
      });
      await sql(adminUrl, 'SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids.map((p) => p.pid)]);
      const r = await running;
      expect(r.run.code).toBe(1);
      expect(resultsOf(r.report)['table public.held']).toMatchObject({
        state: 'errored',
        message:
          'table public.held: cannot count the rows of public.held: the connection was lost (terminating connection due to administrator command): the server was restarted, stopped, or ended the session',
      });
      expect(r.report.summary).toEqual({ passed: 2, failed: 0, errored: 1 });
    } finally {
      await lock.release();
    }
  });
});

describe('the server itself goes away mid-run', () => {
  let cluster: EmbeddedCluster;
  let url: string;
  beforeAll(async () => {
    cluster = await startDedicated();
    await cluster.createDatabase('app');
    url = cluster.url('app');
    await sql(url, FIXTURE);
    // The embedded server runs with synchronous_commit off: a checkpoint makes the fixture survive the crash below.
    await sql(url, 'CHECKPOINT');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('restarted (a backend crashes, the server resets every session): what was being read is errored; the next run passes', async () => {
    const lock = await holdLock(url, 'LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE');
    try {
      const running = check(url);
      const pids = await waitFor('pgspec to wait for public.held', async () => {
        const p = await waitingPids(cluster.url(), 'app');
        return p.length > 0 ? p : undefined;
      });
      // SIGKILL of a backend: the postmaster ends every session and restarts (crash recovery).
      process.kill(pids[0]!.pid, 'SIGKILL');
      const r = await running;
      expect(r.run.code).toBe(1);
      const held = resultsOf(r.report)['table public.held']!;
      expect(held.state).toBe('errored');
      expect(held.message).toMatch(/^table public\.held: cannot count the rows of public\.held: the connection was lost \(.+\): the server was restarted, stopped, or ended the session$/);
    } finally {
      await lock.release();
    }
    // The server came back by itself: a new run reads everything.
    const again = await waitFor('the server to accept connections again', async () => {
      const r = await check(url);
      return r.run.code === 0 ? r : undefined;
    });
    expect(again.report.summary).toEqual({ passed: 3, failed: 0, errored: 0 });
  });

  it('stopped for good mid-run: what was being read and what was left are errored; exit 1', async () => {
    const lock = await holdLock(url, 'LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE');
    const spec = `${SPEC}  - table: public.payroll\n    rows: 1\n`;
    // One connection: the counts queue behind the blocked one, so they meet a stopped server.
    const running = check(url, spec, ['--concurrency', '1']);
    await waitFor('pgspec to wait for public.held', async () => {
      const p = await waitingPids(cluster.url(), 'app');
      return p.length > 0 ? p : undefined;
    });
    await cluster.stop();
    await lock.release();
    const r = await running;
    expect(r.run.code).toBe(1);
    const results = resultsOf(r.report);
    expect(results['table public.held']!.message).toMatch(/cannot count the rows of public\.held: the connection was lost/);
    const left = [results['table public.orders']!, results['table public.payroll']!].filter((x) => x.state === 'errored');
    for (const x of left) expect(x.message).toMatch(/cannot count the rows of public\.\w+: (cannot connect to postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/app: |the connection was lost)/);
    expect(r.report.summary.errored).toBeGreaterThanOrEqual(2);
  });
});
