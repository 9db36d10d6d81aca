import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFiles } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const SHOP = readFileSync(new URL('../../fixtures/example/shop.sql', import.meta.url), 'utf8');

describe('pgspec/vitest', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(SHOP);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('turns each expectation into a vitest test case named after its object', () => {
    const out = join(tempFiles({}), 'results.json');
    const run = spawnSync(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/fixtures-vitest/vitest.config.ts', '--reporter=json', `--outputFile=${out}`],
      { env: { ...process.env, PGSPEC_TARGET: db.url, CI: 'true' }, encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status).toBe(1);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      testResults: { assertionResults: { title: string; ancestorTitles: string[]; status: string; failureMessages: string[] }[] }[];
    };
    expect(report.numPassedTests).toBe(14);
    expect(report.numFailedTests).toBe(1);
    const cases = report.testResults[0]!.assertionResults;
    expect(cases.map((c) => c.title)).toContain('post table public.customers');
    expect(cases.every((c) => c.ancestorTitles[0] === 'shop-release-2026-11')).toBe(true);
    const failed = cases.filter((c) => c.status === 'failed');
    expect(failed.map((c) => c.title)).toEqual(['post column public.products.unit_cost']);
    expect(failed[0]!.failureMessages[0]).toContain('column public.products.unit_cost does not exist (specs/example.spec.yaml:');
  });
});
