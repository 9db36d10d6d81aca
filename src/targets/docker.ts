// The `docker[:IMAGE]` provider: a throwaway PostgreSQL container started with testcontainers.
// The container uses host networking and its server listens on 127.0.0.1 only, on a free port
// chosen here: no bridge network, no published ports, nothing reachable from outside the host.
import { randomBytes } from 'node:crypto';
import { GenericContainer, StartupCheckStrategy, Wait, getContainerRuntimeClient } from 'testcontainers';
import type { StartupStatus } from 'testcontainers';
import pg from 'pg';
import { TargetError } from '../errors.ts';
import { freePort } from './embedded.ts';
import { serverAt, type EphemeralServer } from './ephemeral.ts';
import { redact, registerSecret } from './redact.ts';

/** The image `--db docker` runs: a current PostgreSQL release from the official image. */
export const DEFAULT_IMAGE = 'postgres:17';

/** What the server prints once it accepts connections (the official image prints it twice). */
export const READY_MESSAGE = 'database system is ready to accept connections';

export interface DockerOptions {
  /** Called with each line the container logs. */
  onLog?: (line: string) => void;
  /** How long the container may take to accept connections, image pull not included (default 120 s). */
  startupTimeoutMs?: number;
}

type Dockerode = Parameters<StartupCheckStrategy['checkStartupState']>[0];

/**
 * Ready when `select 1` succeeds over TCP with the password the container was given.
 * The official image's first "ready" comes from a setup server that listens on no TCP port,
 * so a TCP connection that works is the real server. A container that exits fails at once.
 */
class PostgresReady extends StartupCheckStrategy {
  lastError: string | undefined;
  exitCode: number | undefined;

  constructor(private readonly url: string) {
    super();
  }

  override async checkStartupState(dockerode: Dockerode, containerId: string): Promise<StartupStatus> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2_000, application_name: 'pgspec' });
    try {
      await client.connect();
      await client.query('select 1');
      return 'SUCCESS';
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await client.end().catch(() => undefined);
    }
    const state = (await dockerode.getContainer(containerId).inspect()).State;
    if (state.Running) return 'PENDING';
    this.exitCode = state.ExitCode;
    return 'FAIL';
  }
}

/** Where testcontainers looks for an engine, for messages. */
function engineLocations(): string {
  const places = [process.env.DOCKER_HOST, 'unix:///var/run/docker.sock'].filter((p): p is string => Boolean(p));
  return [...new Set(places)].join(' or ');
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';

/**
 * Starts PostgreSQL from `image` (any image that takes the official image's POSTGRES_* variables
 * and `postgres ARGS` as its command) and returns it as an EphemeralServer; stop() removes the
 * container and its volumes.
 */
export async function startDocker(image = DEFAULT_IMAGE, options: DockerOptions = {}): Promise<EphemeralServer> {
  // pgspec connects to 127.0.0.1 (host networking), so testcontainers need not work out the
  // engine's host: without this, inside a container it looks for a bridge network's gateway.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  try {
    await getContainerRuntimeClient();
  } catch {
    throw new TargetError(
      `no Docker engine reachable at ${engineLocations()}; start one (or set DOCKER_HOST) or use --db embedded`,
      'DOCKER_UNREACHABLE',
    );
  }

  const port = await freePort();
  const user = 'postgres';
  const password = randomBytes(16).toString('hex');
  registerSecret(password);
  const adminUrl = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  const startupTimeoutMs = options.startupTimeoutMs ?? 120_000;
  const log: string[] = [];
  const ready = new PostgresReady(adminUrl);

  const container = new GenericContainer(image)
    .withNetworkMode('host')
    .withEnvironment({ POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: 'postgres' })
    .withCommand([
      'postgres',
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ])
    .withSharedMemorySize(256 * 1024 * 1024)
    .withLabels({ 'org.pgspec.ephemeral': 'true' })
    .withLogConsumer((stream) => {
      let partial = '';
      stream.on('data', (chunk: Buffer | string) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          log.push(line);
          if (log.length > 50) log.shift();
          options.onLog?.(line);
        }
      });
      stream.on('error', () => undefined);
    })
    .withWaitStrategy(Wait.forAll([Wait.forLogMessage(READY_MESSAGE), ready]))
    .withStartupTimeout(startupTimeoutMs);

  let started: Awaited<ReturnType<typeof container.start>>;
  try {
    started = await container.start();
  } catch (error) {
    // testcontainers has already stopped and removed a container that did not become ready.
    const details = [ready.exitCode === undefined ? firstLine(error) : `the container exited with code ${ready.exitCode}`];
    if (ready.lastError && ready.exitCode === undefined) details.push(`last connection error: ${ready.lastError}`);
    const tail = log.filter((line) => line.trim()).slice(-5);
    if (tail.length) details.push(`container log:\n  ${tail.join('\n  ')}`);
    throw new TargetError(redact(`could not start PostgreSQL from ${image} in Docker: ${details.join('; ')}`), 'DOCKER_START');
  }

  const id = started.getId().slice(0, 12);
  const description = `PostgreSQL in Docker (${image}, container ${id}) on 127.0.0.1:${port}`;
  return serverAt(adminUrl, description, async () => {
    await started.stop({ remove: true, removeVolumes: true, timeout: 0 });
  });
}
