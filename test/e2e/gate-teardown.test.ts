import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFiles } from '../support/cli.ts';

const ours = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('pgspec-') && !n.startsWith('pgspec-test-')));
/** postgres server processes whose data directory is one of the given temporary folders. */
const serversIn = (dirs: string[]) => {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-af', 'postgres'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out.split('\n').filter((line) => dirs.some((d) => line.includes(join(tmpdir(), d))));
};

describe('gate teardown', () => {
  it('leaves no PostgreSQL process and no temporary directory after SIGINT in the middle of a migration', async () => {
    const dir = tempFiles({ 'spec.yaml': 'name: slow\npost:\n  - table: public.t\n' });
    execFileSync('mkdir', ['-p', join(dir, 'migrations')]);
    writeFileSync(join(dir, 'migrations', '001_slow.sql'), 'CREATE TABLE public.t (id int);\nSELECT pg_sleep(60);\n');
    const before = ours();
    const child = spawn(process.execPath, ['bin/pgspec.js', 'gate', join(dir, 'spec.yaml'), '--migrations', join(dir, 'migrations')], {
      env: { ...process.env, CI: 'true' },
    });
    let stderr = '';
    let seen = false;
    const started = Date.now();
    const created = new Set<string>();
    let exitCode: number | null = null;
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        for (const n of ours()) if (!before.has(n)) created.add(n);
        if (!seen && stderr.includes('001_slow.sql')) {
          seen = true;
          // Let the migration reach pg_sleep, then interrupt as Ctrl-C would.
          setTimeout(() => child.kill('SIGINT'), 500);
        }
      });
      child.on('close', (code) => {
        exitCode = code;
        resolve();
      });
      child.on('error', reject);
    });
    expect(seen).toBe(true);
    expect(exitCode).toBe(130);
    expect(stderr).toContain('pgspec: interrupted; the ephemeral database and its files are being removed');
    expect(created.size).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    const left = [...ours()].filter((n) => !before.has(n));
    expect(left).toEqual([]);
    expect(serversIn([...created])).toEqual([]);
  });
});
