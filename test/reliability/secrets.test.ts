import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { ensureRole } from '../support/evaluate.ts';
import { runBin, runCli, tempFiles, type CliRun } from '../support/cli.ts';
import { scanForSecrets, TEST_PASSWORDS } from './secrets-scan.setup.ts';
import { sql, STACK, tally } from './support.ts';

// Secrets (issue #5, 3): a password from a URL, PGPASSWORD, a .pgpass file or the config never
// appears in console output, reports, error messages or logs; it shows as ****. Each test makes
// the password appear on purpose (a spec query returns it, so a failure message would print it)
// and then looks for it in everything the run wrote. The run-wide scan is in secrets-scan.setup.ts.

const figures = tally('secrets');

const PASSWORDS = {
  url: 'p@ss:w0rd/s3cret',
  env: 'envpass-s3cret',
  pgpass: 'pgpass-s3cret',
  config: 'config-s3cret-pw',
};

let db: TestDatabase;
let host: string;
let port: string;

/** A spec whose query returns the password: the failed verdict's message would show it unmasked. */
const leakySpec = (password: string) => `name: leaky
post:
  - query: ${JSON.stringify(`select ${`'${password.replace(/'/g, "''")}'`} as leaked`)}
    equals: nothing
  - table: public.things
    rows: 1
`;

/** Runs check with every reporter writing a file, and returns all it printed and wrote. */
async function everything(run: (args: string[]) => Promise<CliRun>, dir: string, spec: string, target: string[]): Promise<{ run: CliRun; all: string }> {
  writeFileSync(join(dir, 'leaky.spec.yaml'), spec);
  const files = ['json:r.json', 'junit:r.xml', 'markdown:r.md', 'html:r.html', 'tap:r.tap'].map((r) => {
    const [name, file] = r.split(':');
    return { name: name!, path: join(dir, file!) };
  });
  const result = await run(['check', join(dir, 'leaky.spec.yaml'), ...target, '--reporter', 'console', '--reporter', 'github', ...files.flatMap((f) => ['--reporter', `${f.name}:${f.path}`])]);
  figures.figures.inputs++;
  const all = [result.stdout, result.stderr, ...files.map((f) => readFileSync(f.path, 'utf8'))].join('\n');
  return { run: result, all };
}

function expectMasked(all: string, password: string) {
  expect(all).not.toContain(password);
  expect(all).not.toContain(encodeURIComponent(password));
  expect(all).toContain('****');
}

beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE public.things (id int); INSERT INTO public.things VALUES (1);', 'secrets');
  const u = new URL(db.url);
  host = u.hostname;
  port = u.port;
  for (const [source, password] of Object.entries(PASSWORDS)) {
    await ensureRole(`secret_${source}`, `LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
    await sql(db.url, `GRANT SELECT ON public.things TO secret_${source}`);
  }
});

afterAll(async () => {
  await db?.drop();
  figures.print();
});

describe('a password never shows, wherever it came from', () => {
  it('from the URL, with characters that must be percent-encoded', async () => {
    const dir = tempFiles({});
    const url = `postgres://secret_url:${encodeURIComponent(PASSWORDS.url)}@${host}:${port}/${db.name}`;
    const { run, all } = await everything(runCli, dir, leakySpec(PASSWORDS.url), ['--target', url]);
    expect(run.code).toBe(1);
    expect(all).toContain('query select \'****\' as leaked: returned "****", expected "nothing"');
    expect(all).toContain(`postgres://secret_url:****@${host}:${port}/${db.name}`);
    expectMasked(all, PASSWORDS.url);
  });

  it('from PGPASSWORD', async () => {
    const dir = tempFiles({});
    const url = `postgres://secret_env@${host}:${port}/${db.name}`;
    const { run, all } = await everything((args) => runBin(args, { PGPASSWORD: PASSWORDS.env }), dir, leakySpec(PASSWORDS.env), ['--target', url]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(STACK);
    expectMasked(all, PASSWORDS.env);
  });

  it('from a .pgpass file (PGPASSFILE), read as libpq reads it; without pg\'s deprecation warning', async () => {
    const dir = tempFiles({});
    const pgpass = join(dir, 'pgpass');
    writeFileSync(pgpass, `# host:port:database:user:password\nother.example:5432:*:*:not-this-one\n${host}:${port}:*:secret_pgpass:${PASSWORDS.pgpass}\n`);
    chmodSync(pgpass, 0o600);
    const url = `postgres://secret_pgpass@${host}:${port}/${db.name}`;
    const { run, all } = await everything((args) => runBin(args, { PGPASSFILE: pgpass, PGPASSWORD: '' }), dir, leakySpec(PASSWORDS.pgpass), ['--target', url]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/deprecat/i);
    expectMasked(all, PASSWORDS.pgpass);
  });

  it('a .pgpass file others may read is ignored, as libpq ignores it: exit 3, saying no password was given', async () => {
    const dir = tempFiles({});
    const pgpass = join(dir, 'pgpass');
    writeFileSync(pgpass, `*:*:*:secret_pgpass:${PASSWORDS.pgpass}\n`);
    chmodSync(pgpass, 0o644);
    const url = `postgres://secret_pgpass@${host}:${port}/${db.name}`;
    const { run, all } = await everything((args) => runBin(args, { PGPASSFILE: pgpass, PGPASSWORD: '' }), dir, leakySpec('x'), ['--target', url]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `pgspec: cannot connect to ${url}: the server asks for a password and none was given: put it in the URL, in PGPASSWORD, or in a password file (PGPASSFILE or ~/.pgpass) that only you may read (chmod 600)`,
    );
    expect(all).not.toContain(PASSWORDS.pgpass);
  });

  it('from the config (passwordEnv)', async () => {
    const dir = tempFiles({});
    const config = join(dir, 'pgspec.config.yaml');
    writeFileSync(config, 'environments:\n  prod:\n    urlEnv: PROD_URL\n    passwordEnv: PROD_PASSWORD\n');
    const env = { PROD_URL: `postgres://secret_config@${host}:${port}/${db.name}`, PROD_PASSWORD: PASSWORDS.config };
    const { run, all } = await everything((args) => runCli(args, env), dir, leakySpec(PASSWORDS.config), ['--config', config, '--env', 'prod']);
    expect(run.code).toBe(1);
    expectMasked(all, PASSWORDS.config);
  });

  it('in a snapshot file and in the progress lines', async () => {
    const dir = tempFiles({});
    const url = `postgres://secret_url:${encodeURIComponent(PASSWORDS.url)}@${host}:${port}/${db.name}`;
    writeFileSync(join(dir, 'leaky.spec.yaml'), leakySpec(PASSWORDS.url));
    const snap = join(dir, 'leaky.snapshot.json');
    const run = await runBin(['snapshot', '--target', url, '-o', snap, '--spec', join(dir, 'leaky.spec.yaml')]);
    const check = await runBin(['check', join(dir, 'leaky.spec.yaml'), '--target', url]);
    figures.figures.inputs += 2;
    expect(run.code).toBe(0);
    // The snapshot records the query's result: data, not a password pgspec was given... but it is masked too.
    expectMasked([run.stdout, run.stderr, check.stdout, check.stderr, readFileSync(snap, 'utf8')].join('\n'), PASSWORDS.url);
  });
});

describe('the run-wide scan', () => {
  it('finds a planted password (so a clean scan means something)', () => {
    const dir = tempFiles({});
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'out.log'), `connecting to postgres://a:${encodeURIComponent(TEST_PASSWORDS[0]!)}@x/y\n`);
    writeFileSync(join(dir, 'clean.log'), 'postgres://a:****@x/y\n');
    const result = scanForSecrets(dir, TEST_PASSWORDS);
    expect(result.files).toBe(2);
    expect(result.found).toHaveLength(1);
    expect(result.found[0]).toMatch(/nested\/out\.log holds a test password/);
  });
});
