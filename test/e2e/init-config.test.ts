import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLine, runCli, tempFiles } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const SHOP_SQL = resolve('fixtures/example/shop.sql');

describe('pgspec init, as a new user runs it', () => {
  it('scaffolds config, example spec and workflow in an empty folder; check then passes on the example database', async () => {
    const dir = tempFiles({});
    const init = await runCli(['init', '--dir', dir]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('created pgspec.config.yaml');
    expect(init.stdout).toContain('created specs/example.spec.yaml');
    expect(init.stdout).toContain('created .github/workflows/pgspec.yml');
    const spec = readFileSync(join(dir, 'specs/example.spec.yaml'), 'utf8');
    expect(spec.split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/pgspec/schema/pgspec.schema.json');

    // The scaffolded config names specs/, so check needs no spec argument.
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const check = await runCli(['check', '--target', SHOP_SQL]);
      expect(check.code).toBe(0);
      expect(lastLine(check.stdout)).toBe('3 passed, 0 failed');
    } finally {
      process.chdir(cwd);
    }
  });

  it('never overwrites an existing file', async () => {
    const dir = tempFiles({ 'pgspec.config.yaml': 'specs: [mine/]\n' });
    const init = await runCli(['init', '--dir', dir]);
    expect(init.stdout).toContain('kept pgspec.config.yaml (exists; not overwritten)');
    expect(readFileSync(join(dir, 'pgspec.config.yaml'), 'utf8')).toBe('specs: [mine/]\n');
    expect(existsSync(join(dir, 'specs/example.spec.yaml'))).toBe(true);
  });
});

describe('pgspec.config', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(readFileSync(SHOP_SQL, 'utf8'));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('--env takes the URL from the variable the config names, and the config reporters apply', async () => {
    const dir = tempFiles({});
    const report = join(dir, 'out.xml');
    writeFileSync(
      join(dir, 'pgspec.config.yaml'),
      `specs: [${resolve('specs/example.spec.yaml')}]\nreporters: [console, "junit:${report}"]\nenvironments:\n  production: { urlEnv: SHOP_URL }\n`,
    );
    const run = await runCli(['check', '--config', join(dir, 'pgspec.config.yaml'), '--env', 'production'], { SHOP_URL: db.url });
    expect(run.code).toBe(1);
    expect(lastLine(run.stdout)).toBe('14 passed, 1 failed');
    expect(readFileSync(report, 'utf8')).toContain('<testsuites');
  });

  it('flags override the config', async () => {
    const dir = tempFiles({ 'pgspec.config.yaml': 'reporters: ["junit:never.xml"]\ncounts: estimate\n' });
    const config = join(dir, 'pgspec.config.yaml');
    // --reporter overrides the config's reporters; the config's `counts: estimate` still applies
    // (a never-analysed table estimates 0 rows, so `rows: { min: 1 }` fails).
    const estimated = await runCli(['check', 'specs/example.spec.yaml', '--config', config, '--target', db.url, '--reporter', 'console']);
    expect(lastLine(estimated.stdout)).toBe('13 passed, 2 failed');
    expect(estimated.stdout).toContain('table public.customers: rows 0, expected >= 1');
    expect(existsSync('never.xml')).toBe(false);
    const exact = await runCli(['check', 'specs/example.spec.yaml', '--config', config, '--target', db.url, '--reporter', 'console', '--counts', 'exact']);
    expect(lastLine(exact.stdout)).toBe('14 passed, 1 failed');
  });

  it('an unknown environment, an unset variable and an unknown config key are usage errors (exit 2)', async () => {
    const dir = tempFiles({ 'pgspec.config.yaml': 'environments:\n  production: { urlEnv: NOT_SET_ANYWHERE }\n' });
    const config = join(dir, 'pgspec.config.yaml');
    const unknown = await runCli(['check', 'specs/example.spec.yaml', '--config', config, '--env', 'staging']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown environment staging: the config names production');
    const unset = await runCli(['check', 'specs/example.spec.yaml', '--config', config, '--env', 'production']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('environment production: the variable NOT_SET_ANYWHERE is not set');
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'pgspec.config.yaml'), 'reporter: [json]\n');
    const bad = await runCli(['check', 'specs/example.spec.yaml', '--config', join(dir, 'bad', 'pgspec.config.yaml'), '--target', db.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown key "reporter"');
  });
});
