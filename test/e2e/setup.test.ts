import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/cli.ts';

// `pgspec setup` prepares what a first run would (the CLI bundle, the cached initialised cluster);
// npm install runs it through scripts/postinstall.mjs, which never fails the install.

describe('pgspec setup', () => {
  it('leaves an initialised cluster in the cache and says where', async () => {
    const run = await runBin(['setup']);
    expect(run.code).toBe(0);
    const m = /^ready: embedded PostgreSQL cluster cached in (\S+), \d+ ms$/.exec(run.stdout.trim());
    expect(m).not.toBeNull();
    expect(existsSync(join(m![1]!, 'data', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(m![1]!, 'password'))).toBe(true);
  });

  it('as npm install runs it: a setup that cannot start a server says so and still exits 0', () => {
    const script = join(process.cwd(), 'scripts/postinstall.mjs');
    const broken = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, PGSPEC_CLUSTER_CACHE: 'off', PGSPEC_TMPDIR: '/nonexistent/pgspec-setup-test' },
    });
    expect(broken.status).toBe(0);
    expect(broken.stderr).toMatch(/^pgspec: setup skipped \(.+\); the first run prepares the cache instead$/m);
    expect(broken.stderr).toContain('cannot make a data directory for the embedded PostgreSQL server in /nonexistent/pgspec-setup-test (ENOENT)');
    expect(broken.stderr).not.toContain('internal error');
    const skipped = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, PGSPEC_SKIP_SETUP: '1' } });
    expect(skipped.status).toBe(0);
    expect(skipped.stderr).toBe('');
  });
});
