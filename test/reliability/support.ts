import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { serializeSnapshot } from '../../src/snapshot/serialize.ts';
import { startEmbedded, type EmbeddedCluster, type StartOptions } from '../../src/targets/embedded.ts';
import { openTarget } from '../../src/targets/open.ts';
import { recordSecret } from '../support/cli.ts';

// Helpers of the reliability suite (issue #5): figures every file prints, dedicated servers,
// and a fingerprint of everything a database holds, to prove that nothing was written.

/** Figures are what one reliability file did: faults injected, inputs tried, writes observed. */
export interface Figures {
  faults: number;
  inputs: number;
  writes: number;
}

/** A tally a test file adds to; print() logs it and leaves it for the run's total (secrets-scan.setup.ts). */
export function tally(name: string) {
  const figures: Figures = { faults: 0, inputs: 0, writes: 0 };
  return {
    figures,
    print() {
      console.log(`reliability ${name}: ${figures.faults} faults injected, ${figures.inputs} inputs tried, ${figures.writes} writes observed`);
      let dir: string | undefined;
      try {
        dir = inject('pgspecOutputDir');
      } catch {
        dir = undefined;
      }
      if (!dir) return;
      mkdirSync(join(dir, 'figures'), { recursive: true });
      writeFileSync(join(dir, 'figures', `${name}-${process.pid}.json`), JSON.stringify(figures));
    },
  };
}

/** Starts a server of the test's own (to restart, reconfigure or break it); its password joins the secrets scan. */
export async function startDedicated(options: StartOptions = {}): Promise<EmbeddedCluster> {
  const cluster = await startEmbedded(options);
  recordSecret(cluster.password);
  return cluster;
}

/** Runs SQL on a database as the superuser, in its own connection. */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, params?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A Fingerprint is everything a database holds that a write would change: catalog, every row, every sequence. */
export interface Fingerprint {
  /** The pgspec snapshot (catalog and every table's row count), serialised, by top-level section. */
  catalog: Record<string, string>;
  /** md5 of each user table's rows in a fixed order, with the row count. */
  tables: Record<string, string>;
  /** Each sequence's last value and whether it was called. */
  sequences: Record<string, string>;
  /** Large objects. */
  largeObjects: number;
}

/**
 * Reads the fingerprint of a database as the superuser (the catalog with pgspec itself, read-only).
 * Roles belong to the whole cluster: on the shared test cluster other files create them as they
 * run, so there `withRoles: false` leaves them out.
 */
export async function fingerprint(url: string, options: { withRoles?: boolean } = {}): Promise<Fingerprint> {
  let catalog: Record<string, string>;
  {
    await using target = await openTarget(url, { concurrency: 2 });
    const snapshot = await target.capture({ rowPatterns: [], settings: [], queries: [] }, { counts: 'exact', countAll: true });
    const text = serializeSnapshot(options.withRoles === false ? { ...snapshot, roles: {} } : snapshot);
    catalog = Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, unknown>).map(([k, v]) => [k, JSON.stringify(v)]));
  }
  const tables: Record<string, string> = {};
  const relations = await sql<{ q: string }>(
    url,
    `SELECT format('%I.%I', n.nspname, c.relname) AS q FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 1`,
  );
  for (const { q } of relations) {
    const [row] = await sql<{ n: string; h: string | null }>(url, `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM ${q} t`);
    tables[q] = `${row!.n}:${row!.h ?? ''}`;
  }
  const sequences: Record<string, string> = {};
  for (const s of await sql<{ q: string }>(url, `SELECT format('%I.%I', schemaname, sequencename) AS q FROM pg_sequences ORDER BY 1`)) {
    const [row] = await sql<{ v: string; c: boolean }>(url, `SELECT last_value::text AS v, is_called AS c FROM ${s.q}`);
    sequences[s.q] = `${row!.v}:${row!.c}`;
  }
  const [lo] = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM pg_largeobject_metadata');
  return { catalog, tables, sequences, largeObjects: Number(lo!.n) };
}

/** The differences between two fingerprints, one line each: the writes observed. */
export function writesBetween(before: Fingerprint, after: Fingerprint): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before.catalog), ...Object.keys(after.catalog)])) {
    if (before.catalog[key] !== after.catalog[key]) out.push(`snapshot section ${key} changed: ${before.catalog[key]?.slice(0, 200)} -> ${after.catalog[key]?.slice(0, 200)}`);
  }
  for (const key of new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])) {
    if (before.tables[key] !== after.tables[key]) out.push(`table ${key}: ${before.tables[key]} -> ${after.tables[key]}`);
  }
  for (const key of new Set([...Object.keys(before.sequences), ...Object.keys(after.sequences)])) {
    if (before.sequences[key] !== after.sequences[key]) out.push(`sequence ${key}: ${before.sequences[key]} -> ${after.sequences[key]}`);
  }
  if (before.largeObjects !== after.largeObjects) out.push(`large objects: ${before.largeObjects} -> ${after.largeObjects}`);
  return out;
}

/** A result of a json report. */
export interface ReportResult {
  kind: string;
  object: string;
  state: 'passed' | 'failed' | 'errored';
  message: string;
}

/** A json report as the reliability tests read it. */
export interface Report {
  target: string;
  summary: { passed: number; failed: number; errored: number };
  specs: { results: ReportResult[] }[];
  error?: { code: string; message: string };
}

export function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

/** The results of a report, by object. */
export function resultsOf(report: Report): Record<string, ReportResult> {
  return Object.fromEntries(report.specs.flatMap((s) => s.results).map((r) => [r.object, r]));
}

/** A stack trace or Node's unhandled-error banner in an output: never acceptable. */
export const STACK = /\n\s+at [^\n]+:\d+:\d+|Unhandled|uncaught|internal error/i;
