import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLine, runCli, tempFiles } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const SHOP = readFileSync(new URL('../../fixtures/example/shop.sql', import.meta.url), 'utf8');

describe('check --targets: one spec, many databases', () => {
  let behind: TestDatabase;
  let upToDate: TestDatabase;
  beforeAll(async () => {
    behind = await createTestDatabase(SHOP);
    upToDate = await createTestDatabase(`${SHOP}\nALTER TABLE public.products ADD COLUMN unit_cost numeric(12,2);`);
  });
  afterAll(async () => {
    await behind.drop();
    await upToDate.drop();
  });

  it('checks every target, reports an unreachable one as errored, and aggregates the counts', async () => {
    const dir = tempFiles({});
    const file = join(dir, 'fleet.txt');
    writeFileSync(file, `# tenants\n${behind.url}\n\n${upToDate.url}   # the migrated one\npostgres://t:fleet-pw@127.0.0.1:1/gone\n`);
    const report = join(dir, 'r.json');
    const run = await runCli(['check', 'specs/example.spec.yaml', '--targets', file, '--parallel', '2', '--reporter', 'console', '--reporter', `json:${report}`]);
    expect(run.code).toBe(1);
    expect(lastLine(run.stdout)).toBe('29 passed, 1 failed, 1 errored');
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      targets: { target: string; summary: { passed: number; failed: number; errored: number }; error?: { message: string } }[];
      specs: { target: string; results: { state: string; message: string }[] }[];
    };
    expect(json.targets.map((t) => t.summary)).toEqual([
      { passed: 14, failed: 1, errored: 0 },
      { passed: 15, failed: 0, errored: 0 },
      { passed: 0, failed: 0, errored: 0 },
    ]);
    expect(json.targets[2]!.error!.message).toMatch(/^cannot connect to postgres:\/\/t:\*\*\*\*@127\.0\.0\.1:1\/gone: connection refused/);
    const failing = json.specs.find((s) => s.results.some((r) => r.state === 'failed'))!;
    expect(failing.target).toBe(behind.url.replace(/:[^:@/]+@/, ':****@'));
    expect(run.stdout).toContain(`@ ${upToDate.url.replace(/:[^:@/]+@/, ':****@')}`);
    expect(run.stdout + readFileSync(report, 'utf8')).not.toContain('fleet-pw');
  });

  it('exits 3 when no target can be checked', async () => {
    const file = join(tempFiles({}), 'fleet.txt');
    writeFileSync(file, 'postgres://t:x@127.0.0.1:1/a\npostgres://t:x@127.0.0.1:2/b\n');
    const run = await runCli(['check', 'specs/example.spec.yaml', '--targets', file]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('none of the 2 targets could be checked');
  });

  it('refuses --targets together with --target', async () => {
    const run = await runCli(['check', 'specs/example.spec.yaml', '--targets', 'x.txt', '--target', 'postgres://a@127.0.0.1:1/b']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('give either --targets FILE or --target/--env, not both');
  });
});
