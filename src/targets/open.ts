import type pg from 'pg';
import { readFile } from 'node:fs/promises';
import { countRows, introspect } from '../catalog/introspect.ts';
import { queryKey } from '../check/query.ts';
import { PgspecError, TargetError, UsageError } from '../errors.ts';
import { tablesToCount, type Needs } from '../run/needs.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { withClient } from './client.ts';
import { startEmbedded } from './embedded.ts';
import { connectionError, connectLive, describeFailure, isConnectionLoss, openLive, resolveUrl, sessionRules, type LiveOptions } from './live.ts';
import { readMigrationHistories } from './migration-history.ts';
import { readPrivileges } from './privileges.ts';
import { readSettings, runSpecQueryOutcome } from './queries.ts';
import { registerSecret, registerUrlSecret, safeUrl } from './redact.ts';
import { readSnapshotFile } from './snapshot-file.ts';
import { runScript, ScriptError, splitScript } from './sql-script.ts';

/** CaptureOptions say how a state is read: which row counts, exact or estimated. */
export interface CaptureOptions {
  counts: 'exact' | 'estimate';
  /** Count every table (pgspec snapshot) instead of only those the specs need. */
  countAll?: boolean;
  /** Called when a step starts, for progress output. */
  onProgress?: (message: string) => void;
  /**
   * Counts exact rows of several tables per statement: for a database nobody else uses (the
   * gate's own), where no table waits for a lock. One that fails is counted again alone.
   */
  batchCounts?: boolean;
}

/** Tables counted per statement with `batchCounts`. */
const COUNT_BATCH = 8;

/** A Target is a state pgspec can read: a live database, a snapshot file, or a dump restored into an ephemeral one. */
export interface Target extends AsyncDisposable {
  /** What the target is, safe to print (password masked). */
  readonly description: string;
  readonly kind: 'live' | 'snapshot' | 'dump';
  capture(needs: Needs, options: CaptureOptions): Promise<Snapshot>;
}

/** Whether a target is a postgres:// URL: a live database. */
export const isUrl = (t: string) => /^postgres(ql)?:\/\//i.test(t);

/** Sorted, so that a snapshot with count errors is written the same way every time. */
const sortedRecord = (entries: [string, string][]) => Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * How long the first session works alone before more are opened: opening a session costs a
 * backend start (tens of milliseconds), and a few small tables are counted in less.
 */
const ALONE_MS = 30;

/** Items several sessions take from, one at a time, each when it is free. */
class WorkQueue<T> {
  #next = 0;
  #onEmpty: (() => void)[] = [];
  constructor(private readonly items: readonly T[]) {}

  get empty(): boolean {
    return this.#next >= this.items.length;
  }

  take(): T | undefined {
    const item = this.items[this.#next++];
    if (this.empty) for (const wake of this.#onEmpty.splice(0)) wake();
    return item;
  }

  /** Resolves after `ms`, or as soon as every item is taken. */
  wait(ms: number): Promise<void> {
    if (this.empty) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#onEmpty.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * Runs `step` for items of a shared queue on one pooled connection, until the queue is empty. A
 * failed item is handed to `failed` with the reason; when the connection itself is lost (server
 * restarted, session terminated), the client is dropped and the next item gets a new
 * connection. When no connection can be had, it stops and returns why (the items are left to
 * the other sessions). Never throws.
 */
async function drainOnConnection<T>(
  pool: pg.Pool,
  url: string,
  live: LiveOptions,
  queue: WorkQueue<T>,
  step: (client: pg.PoolClient, item: T) => Promise<void>,
  failed: (item: T, reason: string) => void,
): Promise<string | undefined> {
  let client: pg.PoolClient | undefined;
  while (!queue.empty) {
    if (!client) {
      try {
        client = await pool.connect();
      } catch (error) {
        // "cannot connect to URL: connection refused (...)", password masked.
        return connectionError(url, error, live).message;
      }
      // Other sessions may have taken the rest while this one connected.
      if (queue.empty) break;
    }
    const item = queue.take()!;
    try {
      await step(client, item);
    } catch (error) {
      if (isConnectionLoss(error)) {
        // A lost client is destroyed, not put back in the pool.
        client.release(error instanceof Error ? error : new Error(String(error)));
        client = undefined;
      } else {
        await client.query('ROLLBACK').catch(() => undefined);
      }
      failed(item, describeFailure(error, live));
    }
  }
  client?.release();
  return undefined;
}

/**
 * Runs `step` for every item on up to `concurrency` pooled sessions, each taking the next item
 * when it is free. The first session starts at once (the pool's idle one, when it has one); the
 * others open only when items are still waiting after ALONE_MS. Items no session could take
 * (none could connect) fail with the reason. Never throws.
 */
async function onSessions<T>(
  pool: pg.Pool,
  url: string,
  live: LiveOptions,
  items: readonly T[],
  concurrency: number,
  step: (client: pg.PoolClient, item: T) => Promise<void>,
  failed: (item: T, reason: string) => void,
): Promise<void> {
  const queue = new WorkQueue(items);
  const sessions = Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, async (_, i) => {
    if (i > 0) await queue.wait(ALONE_MS);
    return drainOnConnection(pool, url, live, queue, step, failed);
  });
  const reasons = await Promise.all(sessions);
  const reason = reasons.find((r) => r !== undefined) ?? 'no database session could be opened';
  for (let item = queue.take(); item !== undefined; item = queue.take()) failed(item, reason);
}

/**
 * Reads catalog, row counts, settings and spec queries of a live database, read-only, on a
 * bounded pool; `opening` is the first session when it is already being opened.
 */
async function captureLive(
  pool: pg.Pool,
  url: string,
  needs: Needs,
  options: CaptureOptions,
  live: LiveOptions,
  opening: Promise<pg.PoolClient> = connectLive(pool, url, live),
): Promise<Snapshot> {
  const concurrency = sessionRules(live).concurrency;
  const first = await opening;
  options.onProgress?.('reading the catalog');
  let snapshot: Snapshot;
  try {
    // The catalog queries run on several pool sessions at once, sharing one snapshot.
    snapshot = await introspect(first, { connect: () => pool.connect(), concurrency, ...(needs.catalog ? { scope: needs.catalog } : {}) });
    snapshot.server.settings = await readSettings(resolveUrl(url).url, needs.settings);
    await readPrivileges(first, snapshot, needs.privileges ?? []);
    await readMigrationHistories(first, snapshot, needs.migrations ?? []);
    first.release();
  } catch (error) {
    // Without the catalog nothing can be evaluated: the target could not be used (exit 3).
    const lost = isConnectionLoss(error);
    first.release(lost ? (error as Error) : undefined);
    throw new TargetError(`could not read the catalog of ${safeUrl(url)}: ${describeFailure(error, live)}`, lost ? 'TARGET_LOST' : 'TARGET_CATALOG');
  }
  const keys = options.countAll ? Object.keys(snapshot.tables) : tablesToCount(snapshot, needs.rowPatterns);
  if (keys.length > 0 || needs.queries.length > 0) {
    options.onProgress?.(`counting rows of ${keys.length} table${keys.length === 1 ? '' : 's'} (${options.counts}), running ${needs.queries.length} quer${needs.queries.length === 1 ? 'y' : 'ies'}`);
  }
  const countErrors: [string, string][] = [];
  const countFailed = (key: string, reason: string) =>
    countErrors.push([key, /^statement timeout/.test(reason) && options.counts === 'exact' ? `${reason}, or use --counts estimate` : reason]);
  // Exact counts one table at a time (8 with batchCounts, a failed batch counted again table by
  // table), so a table we may not read (or that times out) leaves only its own count missing;
  // estimates are one catalog read for every table.
  const size = options.counts === 'estimate' ? Math.max(1, keys.length) : options.batchCounts ? COUNT_BATCH : 1;
  const batches = Array.from({ length: Math.ceil(keys.length / size) }, (_, i) => keys.slice(i * size, (i + 1) * size));
  const counts = onSessions(
    pool,
    url,
    live,
    batches,
    concurrency,
    async (client, batch) => {
      try {
        Object.assign(snapshot.rowCounts, await countRows(client, batch, options.counts));
      } catch (error) {
        if (options.counts === 'estimate' || batch.length === 1 || isConnectionLoss(error)) throw error;
        // A table of the batch failed: each is counted alone, so only its own count is missing.
        for (const key of batch) {
          try {
            Object.assign(snapshot.rowCounts, await countRows(client, [key], options.counts));
          } catch (alone) {
            if (isConnectionLoss(alone)) throw alone;
            countFailed(key, describeFailure(alone, live));
          }
        }
      }
    },
    (batch, reason) => {
      for (const key of batch) if (!Object.hasOwn(snapshot.rowCounts, key)) countFailed(key, reason);
    },
  );
  const queries = onSessions(
    pool,
    url,
    live,
    needs.queries,
    concurrency,
    async (client, q) => {
      const outcome = await runSpecQueryOutcome(client, q.sql, q.as, live);
      snapshot.queries[queryKey(q.sql, q.as)] = outcome.result;
      // The result is recorded; a lost connection is still thrown, so the next query reconnects.
      if (outcome.lost) throw outcome.lost;
    },
    (q, reason) => {
      snapshot.queries[queryKey(q.sql, q.as)] ??= { ok: false, error: reason };
    },
  );
  await Promise.all([counts, queries]);
  if (countErrors.length > 0) snapshot.countErrors = sortedRecord(countErrors);
  snapshot.counts = options.counts;
  return snapshot;
}

/**
 * A live database as a target. Its first session starts opening at once, so the connection
 * (TCP, authentication, the server starting a backend) is made while the caller still works
 * out what to read; the first capture takes it, and reports its failure.
 */
function liveTarget(url: string, live: LiveOptions, kind: 'live' | 'dump', description: string, onDispose?: () => Promise<void>): Target {
  const pool = openLive(url, live);
  let opening: Promise<pg.PoolClient> | undefined = connectLive(pool, url, live);
  opening.catch(() => undefined); // a failure is capture's to report
  return {
    description,
    kind,
    capture: (needs, options) => {
      const first = opening;
      opening = undefined;
      return captureLive(pool, url, needs, options, live, first);
    },
    [Symbol.asyncDispose]: async () => {
      if (opening) {
        // Never captured (the caller failed before it could): the session is given back
        // whenever it opens, and the pool ends then; an unreachable server does not hold up
        // the caller.
        opening.then((client) => client.release(), () => undefined);
        opening = undefined;
        pool.end().catch(() => undefined);
      } else {
        await pool.end().catch(() => undefined);
      }
      await onDispose?.();
    },
  };
}

/** Restores a plain SQL dump into a new embedded cluster and serves it as a target. */
async function dumpTarget(path: string, live: LiveOptions): Promise<Target> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the dump file ${path}`);
  }
  const cluster = await startEmbedded();
  try {
    await cluster.createDatabase('pgspec_target');
    await withClient(cluster.url('pgspec_target'), (client) => runScript(client, splitScript(text), path));
  } catch (error) {
    await cluster.stop();
    if (error instanceof ScriptError) throw new TargetError(`could not restore ${path}: ${error.message}`, 'DUMP_RESTORE');
    throw error;
  }
  return liveTarget(cluster.url('pgspec_target'), live, 'dump', `${path} (restored into an embedded PostgreSQL)`, () => cluster.stop());
}

/** Opens a target: a postgres:// URL (live, read-only), a *.snapshot.json file, or a *.sql plain dump. */
export async function openTarget(target: string, live: LiveOptions = {}): Promise<Target> {
  registerSecret(process.env.PGPASSWORD);
  if (isUrl(target)) registerUrlSecret(target);
  if (isUrl(target)) return liveTarget(target, live, 'live', safeUrl(target));
  if (/\.json$/i.test(target)) {
    const snapshot = await readSnapshotFile(target);
    return {
      description: target,
      kind: 'snapshot',
      capture: async () => snapshot,
      [Symbol.asyncDispose]: async () => undefined,
    };
  }
  if (/\.sql$/i.test(target)) return dumpTarget(target, live);
  throw new PgspecError('USAGE', `unknown target ${target}: give a postgres:// URL, a *.snapshot.json file or a *.sql dump`, 2);
}

/** Captures a database by URL once (the gate's own ephemeral databases) and closes the pool. */
export async function captureUrl(url: string, needs: Needs, options: CaptureOptions, live: LiveOptions = {}): Promise<Snapshot> {
  const pool = openLive(url, live);
  try {
    return await captureLive(pool, url, needs, { ...options, batchCounts: true }, live);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
