import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli, tempFiles } from '../support/cli.ts';
import { fingerprint, readReport, STACK, tally, writesBetween, type Fingerprint } from './support.ts';
import { ODD_COLUMNS, ODD_SCHEMA, ODD_TABLES, oddFixture, specPart } from './odd-identifiers.ts';

// Hostile and odd identifiers (issue #5, 5): quotes, spaces, dots, unicode, mixed case, 63-byte
// names, reserved words, names that look like SQL. Every one is counted (identifiers are always
// quoted), found by its spec name, and nothing runs that a name seems to ask for.

const figures = tally('identifiers');

function oddSpec(): string {
  const entries: string[] = [];
  ODD_TABLES.forEach((t, i) => {
    for (const schema of [ODD_SCHEMA, 'public']) {
      entries.push(
        `  - table: ${JSON.stringify(`${specPart(schema)}.${specPart(t)}`)}\n    rows: ${i + 1}\n    columns:\n${ODD_COLUMNS.map((c) => `      ${JSON.stringify(specPart(c))}: { type: integer }`).join('\n')}`,
      );
    }
  });
  entries.push(
    `  - table: ${JSON.stringify(`${specPart(ODD_SCHEMA)}.*`)}\n    rows: { min: 1 }`,
    `  - table: public.victims\n    rows: 5`,
    `  - index: ${JSON.stringify(`${specPart(ODD_SCHEMA)}.${specPart('idx; drop table x')}`)}\n    columns: [${JSON.stringify(specPart('Col "A"'))}]`,
    `  - policy: ${JSON.stringify(specPart('Users can view "own" rows.'))}\n    table: ${JSON.stringify(`${specPart(ODD_SCHEMA)}.${specPart('with space')}`)}\n    using: ${JSON.stringify(`${specPart('select')} > 0`)}`,
    `  - function: ${JSON.stringify(`${specPart(ODD_SCHEMA)}.${specPart('fn(); drop')}(integer)`)}\n    returns: integer`,
    `  - trigger: ${JSON.stringify(specPart('on insert; drop'))}\n    table: ${JSON.stringify(`${specPart(ODD_SCHEMA)}.${specPart('dot.ted')}`)}\n    function: ${JSON.stringify(`public.${specPart('Trig "fn"')}`)}`,
    `  - enum: ${JSON.stringify(`${specPart(ODD_SCHEMA)}.${specPart('Mood;')}`)}\n    labels: ["it's ok", '"quoted"', "ü"]`,
    `  - column: ${JSON.stringify(`${specPart(ODD_SCHEMA)}.${specPart('dot.ted')}.${specPart('x.y')}`)}\n    type: int`,
    // A name as PostgreSQL keeps it: mixed case without quotes folds, so it is absent.
    `  - table: public.MixedCase\n    exists: false`,
  );
  return `name: odd identifiers\npost:\n${entries.join('\n')}\n`;
}

let db: TestDatabase;
let before: Fingerprint;

beforeAll(async () => {
  db = await createTestDatabase(oddFixture(), 'odd_ids');
  before = await fingerprint(db.url, { withRoles: false });
});

afterAll(async () => {
  await db?.drop();
  figures.print();
});

describe('odd identifiers on a live database', () => {
  it('every odd name is found, counted and compared; exit 0', async () => {
    const dir = tempFiles({ 'odd.spec.yaml': oddSpec() });
    const report = join(dir, 'r.json');
    const run = await runCli(['check', join(dir, 'odd.spec.yaml'), '--target', db.url, '--reporter', `json:${report}`, '--quiet']);
    const r = readReport(report);
    figures.figures.inputs += r.specs[0]!.results.length;
    const notPassed = r.specs[0]!.results.filter((x) => x.state !== 'passed').map((x) => `${x.state} ${x.message}`);
    expect(notPassed).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('a snapshot of them is the same byte for byte when taken twice, and reads back', async () => {
    const dir = tempFiles({});
    const a = join(dir, 'a.snapshot.json');
    const b = join(dir, 'b.snapshot.json');
    expect((await runCli(['snapshot', '--target', db.url, '-o', a])).code).toBe(0);
    expect((await runCli(['snapshot', '--target', db.url, '-o', b])).code).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    // Checked against the snapshot, the same spec gives the same verdicts.
    const specDir = tempFiles({ 'odd.spec.yaml': oddSpec() });
    const offline = await runCli(['check', join(specDir, 'odd.spec.yaml'), '--target', a, '--quiet']);
    expect(offline.code).toBe(0);
    figures.figures.inputs += 3;
  });

  it('a spec name longer than 63 bytes is reported, never a crash', async () => {
    const dir = tempFiles({ 'long.spec.yaml': `name: long\npost:\n  - table: ${JSON.stringify(`public.${specPart('a'.repeat(70))}`)}\n` });
    const report = join(dir, 'r.json');
    const run = await runCli(['check', join(dir, 'long.spec.yaml'), '--target', db.url, '--reporter', `json:${report}`, '--quiet']);
    figures.figures.inputs++;
    expect(run.stderr).not.toMatch(STACK);
    expect([0, 1, 2]).toContain(run.code);
  });

  it('nothing that a name looks like was run: the database is as before', async () => {
    const after = await fingerprint(db.url, { withRoles: false });
    const writes = writesBetween(before, after);
    figures.figures.writes += writes.length;
    expect(writes).toEqual([]);
  });
});
