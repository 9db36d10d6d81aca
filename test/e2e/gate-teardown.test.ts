import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFiles } from '../support/cli.ts';

/** postgres processes whose command line mentions a folder. */
function serversUnder(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'postgres'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(dir));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** pgspec's own temporary folders in a TMPDIR (tsx keeps a cache there too). */
const ours = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith('pgspec-'));

/** Runs a gate whose migration sleeps, with its own TMPDIR; `interrupt` decides when to send SIGINT. */
async function gateWithSlowMigration(interrupt: boolean) {
  const dir = tempFiles({ 'spec.yaml': 'name: slow\npost:\n  - table: public.t\n' });
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(join(dir, 'migrations', '001_slow.sql'), `CREATE TABLE public.t (id int);\nSELECT pg_sleep(${interrupt ? 60 : 0});\n`);
  // The gate's temporary folders go here, so the test sees only its own (others run in parallel).
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  chmodSync(tmp, 0o777);
  chmodSync(dir, 0o755); // the postgres user must reach the data directory
  const child = spawn(process.execPath, ['bin/pgspec.js', 'gate', join(dir, 'spec.yaml'), '--migrations', join(dir, 'migrations')], {
    env: { ...process.env, CI: 'true', TMPDIR: tmp },
  });
  let stderr = '';
  let sawMigration = false;
  let sawTempDir = false;
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (ours(tmp).length > 0) sawTempDir = true;
      if (!sawMigration && stderr.includes('001_slow.sql')) {
        sawMigration = true;
        // Let the migration reach pg_sleep, then interrupt as Ctrl-C would.
        if (interrupt) setTimeout(() => child.kill('SIGINT'), 500);
      }
    });
    child.on('close', resolve);
    child.on('error', reject);
  });
  return { exitCode, stderr, sawMigration, sawTempDir, left: ours(tmp), servers: serversUnder(tmp) };
}

describe('gate teardown', () => {
  it('leaves no PostgreSQL process and no temporary directory after a normal run', async () => {
    const run = await gateWithSlowMigration(false);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.sawTempDir).toBe(true);
    expect(run.left).toEqual([]);
    expect(run.servers).toEqual([]);
  });

  it('leaves no PostgreSQL process and no temporary directory after SIGINT in the middle of a migration', async () => {
    const started = Date.now();
    const run = await gateWithSlowMigration(true);
    expect(run.sawMigration).toBe(true);
    expect(run.sawTempDir).toBe(true);
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toContain('pgspec: interrupted; the ephemeral database and its files are being removed');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.left).toEqual([]);
    expect(run.servers).toEqual([]);
  });

  it('a seed file that does not exist: exit 2, and the server started while the inputs were read is gone', () => {
    const dir = tempFiles({ 'spec.yaml': 'name: s\npost:\n  - table: public.t\n' });
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '001_t.sql'), 'CREATE TABLE public.t (id int);\n');
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    chmodSync(tmp, 0o777);
    chmodSync(dir, 0o755);
    const run = spawnSync(process.execPath, ['bin/pgspec.js', 'gate', join(dir, 'spec.yaml'), '--seed', join(dir, 'missing.sql'), '--migrations', join(dir, 'migrations')], {
      env: { ...process.env, CI: 'true', TMPDIR: tmp },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(`cannot read the seed file ${join(dir, 'missing.sql')}`);
    expect(ours(tmp)).toEqual([]);
    expect(serversUnder(tmp)).toEqual([]);
  });
});
