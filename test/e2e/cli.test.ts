import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { lastLine, runBin, runCli, tempFiles } from '../support/cli.ts';

const SHOP = readFileSync(new URL('../../fixtures/example/shop.sql', import.meta.url), 'utf8');

/** A TCP listener on loopback that only counts who connects: proof that nothing was contacted. */
async function connectionCounter(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((socket) => {
    n++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `postgres://alice:s3cret-pw@127.0.0.1:${port}/db`,
    count: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('the bundled example, as the README runs it', () => {
  it('shows passing expectations and one failing one, exit 1', async () => {
    const run = await runBin(['check', 'specs/example.spec.yaml', '--target', 'fixtures/example/shop.sql']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✓ post   table public.customers as expected');
    expect(run.stdout).toMatch(/✗ post {3}column public\.products\.unit_cost does not exist specs\/example\.spec\.yaml:\d+/);
    expect(lastLine(run.stdout)).toBe('14 passed, 1 failed');
  });
});

describe('bad input never touches the target', () => {
  let counter: Awaited<ReturnType<typeof connectionCounter>>;
  beforeAll(async () => {
    counter = await connectionCounter();
  });
  afterAll(async () => {
    await counter.close();
  });

  it('a mistyped key exits 2 naming file, line and key, with no connection made', async () => {
    const dir = tempFiles({ 'bad.spec.yaml': 'name: bad\npost:\n  - table: public.users\n    exsts: false\n' });
    const run = await runCli(['check', join(dir, 'bad.spec.yaml'), '--target', counter.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(dir, 'bad.spec.yaml')}:4:5: post[0].exsts: unknown key "exsts" for a table entry (did you mean "exists"?)`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(counter.count()).toBe(0);
  });

  it('rows: preserved without a baseline exits 2 saying what to pass, with no connection made', async () => {
    const dir = tempFiles({ 'p.spec.yaml': 'name: p\npost:\n  - table: auth.users\n    rows: preserved\n' });
    const run = await runCli(['check', join(dir, 'p.spec.yaml'), '--target', counter.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('p.spec.yaml:3: this table expectation compares with the pre-migration state');
    expect(run.stderr).toContain('pass --baseline FILE.snapshot.json');
    expect(counter.count()).toBe(0);
  });

  it('an unknown reporter exits 2 before connecting', async () => {
    const run = await runCli(['check', 'specs/example.spec.yaml', '--target', counter.url, '--reporter', 'pdf']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown reporter pdf');
    expect(counter.count()).toBe(0);
  });
});

describe('an unreachable target', () => {
  it('exits 3, says so in the report, and never prints the password', async () => {
    const dir = tempFiles({});
    const report = join(dir, 'r.json');
    const run = await runCli(['check', 'specs/example.spec.yaml', '--target', 'postgres://alice:s3cret-pw@127.0.0.1:1/db', '--reporter', `json:${report}`]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('error: cannot connect to postgres://alice:****@127.0.0.1:1/db: connection refused');
    const json = JSON.parse(readFileSync(report, 'utf8')) as { error: { message: string }; target: string };
    expect(json.error.message).toMatch(/connection refused/);
    expect(json.target).toBe('postgres://alice:****@127.0.0.1:1/db');
    expect(run.stdout + run.stderr + readFileSync(report, 'utf8')).not.toContain('s3cret-pw');
  });
});

describe('check against a live database, its snapshot, and reports', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(SHOP);
    dir = tempFiles({});
  });
  afterAll(async () => {
    await db.drop();
  });

  it('gives the same verdicts against a snapshot file (taken with --spec) as against the live database', async () => {
    const snap = join(dir, 'shop.snapshot.json');
    const taken = await runCli(['snapshot', '--target', db.url, '-o', snap, '--spec', 'specs/example.spec.yaml']);
    expect(taken.code).toBe(0);
    const live = await runCli(['check', 'specs/example.spec.yaml', '--target', db.url, '--reporter', `json:${join(dir, 'live.json')}`]);
    const offline = await runCli(['check', 'specs/example.spec.yaml', '--target', snap, '--reporter', `json:${join(dir, 'offline.json')}`]);
    type R = { specs: { results: { state: string; message: string; object: string }[] }[] };
    const verdicts = (f: string) =>
      (JSON.parse(readFileSync(join(dir, f), 'utf8')) as R).specs[0]!.results.map((r) => `${r.state} ${r.message}`);
    expect(verdicts('live.json').length).toBe(15);
    expect(verdicts('offline.json')).toEqual(verdicts('live.json'));
    expect(live.code).toBe(1);
    expect(offline.code).toBe(1);
  });

  it('a snapshot taken without --spec reports queries as errored, not as passed', async () => {
    const snap = join(dir, 'plain.snapshot.json');
    expect((await runCli(['snapshot', '--target', db.url, '-o', snap])).code).toBe(0);
    const run = await runCli(['check', 'specs/example.spec.yaml', '--target', snap]);
    expect(run.stdout).toMatch(/! post {3}query select count\(\*\) from public\.order_items where quantity <= 0: no result recorded/);
    expect(lastLine(run.stdout)).toBe('13 passed, 1 failed, 1 errored');
  });

  it('writes a JUnit report with one testcase per expectation', async () => {
    const path = join(dir, 'junit.xml');
    await runCli(['check', 'specs/example.spec.yaml', '--target', db.url, '--reporter', `junit:${path}`, '--quiet']);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(path, 'utf8')) as {
      testsuites: { tests: string; failures: string; testsuite: { name: string; testcase: { name: string; failure?: { message: string } }[] } };
    };
    expect(xml.testsuites.tests).toBe('15');
    expect(xml.testsuites.failures).toBe('1');
    expect(xml.testsuites.testsuite.name).toBe('shop-release-2026-11');
    expect(xml.testsuites.testsuite.testcase).toHaveLength(15);
    const failed = xml.testsuites.testsuite.testcase.filter((t) => t.failure);
    expect(failed.map((t) => t.name)).toEqual(['post: column public.products.unit_cost']);
  });

  it('the json report has the documented shape, one result per expectation in spec order', async () => {
    const path = join(dir, 'r.json');
    await runCli(['check', 'specs/example.spec.yaml', '--target', db.url, '--reporter', `json:${path}`, '--quiet']);
    const r = JSON.parse(readFileSync(path, 'utf8')) as {
      version: number;
      summary: Record<string, number>;
      specs: { name: string; file: string; results: { phase: string; kind: string; object: string; line: number; state: string }[] }[];
    };
    expect(r.version).toBe(1);
    expect(r.summary).toEqual({ passed: 14, failed: 1, errored: 0 });
    expect(r.specs[0]!.file).toBe('specs/example.spec.yaml');
    expect(r.specs[0]!.results.map((x) => x.kind).slice(0, 3)).toEqual(['table', 'table', 'foreignKey']);
    expect(r.specs[0]!.results.every((x, i, a) => i === 0 || x.line > a[i - 1]!.line)).toBe(true);
  });

  it('diff names each changed object', async () => {
    const before = join(dir, 'before.snapshot.json');
    await runCli(['snapshot', '--target', db.url, '-o', before]);
    await db.exec(`
      ALTER TABLE public.customers ALTER COLUMN email TYPE character varying(200);
      DROP POLICY "Customers see their own orders" ON public.orders;
      ALTER TABLE public.products ADD COLUMN unit_cost numeric(12,2);
    `);
    const run = await runCli(['diff', before, db.url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('~ column public.customers.email: type text -> character varying(200)\n');
    expect(run.stdout).toContain('- policy "Customers see their own orders" on public.orders');
    expect(run.stdout).toContain('+ column public.products.unit_cost');
  });
});
