// The docker[:IMAGE] provider against a real Docker engine. These tests run where an engine is
// reachable (bash scripts/docker-e2e.sh sets one up on a bare machine) and skip elsewhere; the
// unreachable-engine test runs everywhere.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE, READY_MESSAGE, startDocker } from '../../src/targets/docker.ts';
import { startEphemeral, type EphemeralServer } from '../../src/targets/ephemeral.ts';

const run = promisify(execFile);
const IMAGE = process.env.PGSPEC_DOCKER_IMAGE ?? DEFAULT_IMAGE;
const ROOT = new URL('../../', import.meta.url).pathname;

/** Whether an engine answers, decided once at collection time; never hangs for long. */
async function engineReachable(): Promise<string | undefined> {
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 15 s')), 15_000);
  });
  try {
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return undefined;
  } catch (error) {
    return `no Docker engine reachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    clearTimeout(timer);
  }
}

const skipReason = await engineReachable();
if (skipReason) console.log(`docker provider tests skipped: ${skipReason}; run bash scripts/docker-e2e.sh`);

/** Containers pgspec started that still exist (running or not). */
async function pgspecContainers(): Promise<string[]> {
  const client = await getContainerRuntimeClient();
  const list = await client.container.dockerode.listContainers({ all: true, filters: { label: ['org.pgspec.ephemeral=true'] } });
  return list.map((c) => c.Id);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(Boolean(skipReason))(`docker provider (${IMAGE})`, () => {
  let server: EphemeralServer;
  let before: string[];
  let adminPort: number;

  beforeAll(async () => {
    before = await pgspecContainers();
    const t0 = Date.now();
    server = await startEphemeral(`docker:${IMAGE}`);
    console.log(`container started and accepting connections in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${server.description}`);
    adminPort = Number(/127\.0\.0\.1:(\d+)/.exec(server.description)?.[1]);
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('describes a container on 127.0.0.1', async () => {
    expect(server.description).toContain(IMAGE);
    expect(server.description).toMatch(/on 127\.0\.0\.1:\d+$/);
    expect(adminPort).toBeGreaterThan(0);
    const now = await pgspecContainers();
    expect(now.filter((id) => !before.includes(id))).toHaveLength(1);
  });

  it('creates a database that accepts queries and DDL, and listens on loopback only', async () => {
    const url = await server.createDatabase('pgspec_docker_a');
    expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(new URL(url).pathname).toBe('/pgspec_docker_a');
    const [row] = await query<{ version: string }>(url, 'select version()');
    expect(row?.version).toMatch(/^PostgreSQL \d+/);
    await query(url, 'create table t (id int primary key, name text not null)');
    await query(url, "insert into t values (1, 'one'), (2, 'two')");
    expect(await query(url, 'select count(*)::int as n from t')).toEqual([{ n: 2 }]);
    const [settings] = await query<{ listen: string; fsync: string }>(
      url,
      "select current_setting('listen_addresses') as listen, current_setting('fsync') as fsync",
    );
    expect(settings).toEqual({ listen: '127.0.0.1', fsync: 'off' });
    const [who] = await query<{ superuser: boolean }>(url, "select rolsuper as superuser from pg_roles where rolname = current_user");
    expect(who?.superuser).toBe(true);
  });

  it('creates a database from a template', async () => {
    const url = await server.createDatabase('pgspec_docker_b', 'pgspec_docker_a');
    expect(await query(url, 'select name from t order by id')).toEqual([{ name: 'one' }, { name: 'two' }]);
  });

  it('drops a database', async () => {
    const url = await server.createDatabase('pgspec_docker_c');
    await query(url, 'select 1');
    await server.dropDatabase('pgspec_docker_c');
    await expect(query(url, 'select 1')).rejects.toMatchObject({ code: '3D000' });
    await server.dropDatabase('pgspec_docker_c'); // dropping again is fine
  });

  it('stop() removes the container and closes the port', async () => {
    const url = await server.createDatabase('pgspec_docker_d');
    const t0 = Date.now();
    await server.stop();
    console.log(`container stopped and removed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect((await pgspecContainers()).filter((id) => !before.includes(id))).toEqual([]);
    await expect(query(url, 'select 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.stop(); // a second stop is a no-op
  });
});

describe.skipIf(Boolean(skipReason))('docker provider start-up', () => {
  it('waits for the real server, not the setup server of the image entrypoint', async () => {
    const lines: string[] = [];
    const server = await startDocker(IMAGE, { onLog: (line) => lines.push(line) });
    try {
      const ready = lines.filter((line) => line.includes(READY_MESSAGE)).length;
      console.log(`${IMAGE} logged "${READY_MESSAGE}" ${ready} time(s) before start-up finished`);
      expect(ready).toBeGreaterThanOrEqual(1);
      // No retry: the server accepts connections as soon as startDocker returns.
      const url = await server.createDatabase('pgspec_docker_ready');
      expect(await query(url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await server.stop();
    }
  }, 300_000);
});

describe.skipIf(Boolean(skipReason))('docker provider with an image it cannot run', () => {
  it('fails with a TargetError naming the image, and leaves no container', async () => {
    const before = await pgspecContainers();
    const image = 'local/pgspec-no-such-image:0';
    const t0 = Date.now();
    const error = await startEphemeral(`docker:${image}`).then(
      (server) => server.stop().then(() => new Error('started')),
      (e: unknown) => e,
    );
    console.log(`missing image reported in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(error as Error).message}`);
    expect(error).toMatchObject({ name: 'TargetError', code: 'DOCKER_START', exitCode: 3 });
    expect((error as Error).message).toContain(`could not start PostgreSQL from ${image} in Docker: `);
    expect((error as Error).message).not.toMatch(/\n\s+at /);
    expect((await pgspecContainers()).filter((id) => !before.includes(id))).toEqual([]);
  }, 120_000);

  it('fails at once, with the container log, when the container exits instead of serving', async () => {
    // An image like IMAGE whose entrypoint exits: committed from a container that never ran.
    const { dockerode } = (await getContainerRuntimeClient()).container;
    const broken = 'local/pgspec-exits:test';
    const base = await dockerode.createContainer({ Image: IMAGE });
    await base.commit({ repo: 'local/pgspec-exits', tag: 'test', changes: 'ENTRYPOINT ["/bin/sh", "-c", "echo no server here >&2; exit 3"]' });
    await base.remove();
    try {
      const before = await pgspecContainers();
      const t0 = Date.now();
      const error = await startDocker(broken).then(
        (server) => server.stop().then(() => new Error('started')),
        (e: unknown) => e,
      );
      console.log(`exiting container reported in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(error as Error).message}`);
      expect(error).toMatchObject({ name: 'TargetError', code: 'DOCKER_START', exitCode: 3 });
      expect((error as Error).message).toMatch(/the container exited with code 3; container log:\n {2}no server here$/);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect((await pgspecContainers()).filter((id) => !before.includes(id))).toEqual([]);
    } finally {
      await dockerode.getImage(broken).remove({ force: true });
    }
  }, 120_000);
});

describe('docker provider without an engine', () => {
  const fallbackSocket = existsSync('/var/run/docker.sock');
  // testcontainers falls back to /var/run/docker.sock when DOCKER_HOST does not answer.
  it.skipIf(fallbackSocket)('fails with a TargetError (exit 3) naming where it looked, no stack trace', async () => {
    const home = await mkdtemp(join(tmpdir(), 'pgspec-nodocker-'));
    const script = `
      import { startDocker } from './src/targets/docker.ts';
      try {
        await startDocker('postgres:17');
        console.log(JSON.stringify({ started: true }));
        process.exit(0);
      } catch (e) {
        console.log(JSON.stringify({ name: e.name, code: e.code, exitCode: e.exitCode, message: e.message }));
      }`;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, DOCKER_HOST: 'unix:///nonexistent.sock' };
    delete env.TESTCONTAINERS_HOST_OVERRIDE;
    delete env.DEBUG;
    try {
      const t0 = Date.now();
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: ROOT,
        env,
        timeout: 30_000,
      });
      const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
      expect(result).toEqual({
        name: 'TargetError',
        code: 'DOCKER_UNREACHABLE',
        exitCode: 3,
        message:
          'no Docker engine reachable at unix:///nonexistent.sock or unix:///var/run/docker.sock; start one (or set DOCKER_HOST) or use --db embedded',
      });
      expect(Date.now() - t0).toBeLessThan(30_000);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 40_000);
  if (fallbackSocket) console.log('unreachable-engine test skipped: /var/run/docker.sock exists, testcontainers would fall back to it');
});
