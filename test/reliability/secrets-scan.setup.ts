import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';

// The secrets scan of the whole suite (issue #5). A vitest globalSetup: setup() gives the run an
// output folder (test/support/cli.ts appends every CLI run's stdout, stderr and the reports and
// snapshots it wrote there); teardown(), which vitest runs after every test file has finished,
// reads all of it and looks for the passwords the suite uses. A password found sets the exit
// code to 1: vitest only logs an error thrown from a teardown and still exits 0, but it keeps
// an exit code set there. Reliability test files also leave their figures here, summed below.

/** Passwords written into test files (URLs, PGPASSWORD, .pgpass, configs). */
export const TEST_PASSWORDS = ['s3cret-pw', 'wr0ng-s3cret-pw', 'pgpass-s3cret', 'envpass-s3cret', 'reader-s3cret-pw', 'config-s3cret-pw', 'p@ss:w0rd/s3cret'];

let dir: string | undefined;
let clusterPassword: string | undefined;

export function setup(project: TestProject) {
  const root = join(process.cwd(), 'test-results', 'outputs');
  // Runs older than a day are someone's finished runs; a run in progress (another vitest) is left alone.
  if (existsSync(root)) {
    for (const name of readdirSync(root)) {
      const path = join(root, name);
      if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
    }
  }
  dir = join(root, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  project.provide('pgspecOutputDir', dir);
  try {
    clusterPassword = decodeURIComponent(new URL(project.getProvidedContext().pgAdminUrl).password);
  } catch {
    clusterPassword = undefined;
  }
}

function files(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(folder, e.name)) : [join(folder, e.name)]));
}

/** Sums the figures each reliability test file wrote (figures/*.json). */
function reliabilityFigures(folder: string): Record<string, number> | undefined {
  const parts = files(join(folder, 'figures'));
  if (parts.length === 0) return undefined;
  const total: Record<string, number> = {};
  for (const file of parts) {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>)) total[k] = (total[k] ?? 0) + v;
  }
  return total;
}

/** Looks for each password (and its URL-encoded spelling) in every file under a folder; one line per find. */
export function scanForSecrets(folder: string, passwords: Iterable<string>, skip: string[] = []): { files: number; bytes: number; found: string[] } {
  const scanned = files(folder).filter((f) => !skip.some((s) => f.startsWith(s)));
  let bytes = 0;
  const found: string[] = [];
  for (const file of scanned) {
    const text = readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(text);
    for (const password of passwords) {
      for (const spelling of new Set([password, encodeURIComponent(password)])) {
        if (text.includes(spelling)) found.push(`${relative(process.cwd(), file)} holds a test password (${spelling.slice(0, 2)}…)`);
      }
    }
  }
  return { files: scanned.length, bytes, found };
}

export function teardown() {
  if (!dir) return;
  const secretFiles = files(join(dir, 'secrets'));
  const passwords = new Set([...TEST_PASSWORDS, ...(clusterPassword ? [clusterPassword] : []), ...secretFiles.map((f) => readFileSync(f, 'utf8'))]);
  const { files: count, bytes, found } = scanForSecrets(dir, passwords, [join(dir, 'secrets'), join(dir, 'figures')]);
  const figures = reliabilityFigures(dir);
  if (figures) {
    console.log(
      `reliability: ${figures.faults ?? 0} faults injected, ${figures.inputs ?? 0} inputs tried, ${figures.writes ?? 0} writes observed on the live target`,
    );
  }
  console.log(`secrets scan: ${count} output files, ${bytes} bytes, ${passwords.size} passwords looked for: ${found.length === 0 ? 'none found' : `${found.length} found`}`);
  if (found.length > 0) {
    for (const line of found) console.error(`secrets scan: ${line}`);
    process.exitCode = 1;
  }
}
