import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeSnapshot } from '../../src/snapshot/serialize.ts';
import { emptySnapshot } from '../../src/snapshot/types.ts';
import { lastLine, runBin, tempFiles } from '../support/cli.ts';

// The CLI keeps validated specs beside its bundle (src/spec/load.ts): a spec file read before,
// byte for byte under the same name, is not parsed and validated again. These runs go through
// bin/pgspec.js, as a user's do.

const dir = tempFiles({});
const target = join(dir, 'empty.snapshot.json');
writeFileSync(target, serializeSnapshot(emptySnapshot()));
const CACHE_ROOT = join(process.cwd(), 'node_modules/.cache/pgspec');

/** Where the CLI keeps a spec file given as `shown` with these contents, if it kept it. */
function keptFile(shown: string, text: string): string | undefined {
  const key = createHash('sha256').update(`${shown}\0`).update(Buffer.from(text)).digest('hex');
  for (const bundle of readdirSync(CACHE_ROOT).filter((d) => d.startsWith('cli-'))) {
    const file = join(CACHE_ROOT, bundle, 'specs', `${key}.json`);
    if (existsSync(file)) return file;
  }
  return undefined;
}

function specFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('the validated-spec cache', () => {
  const absent = `name: absent-${process.pid}\npost:\n  - table: public.nothing\n    exists: false\n`;

  it('keeps a spec that loaded and reads it back on the next run', async () => {
    const file = specFile('kept.spec.yaml', absent);
    const first = await runBin(['check', file, '--target', target]);
    expect(first.code).toBe(0);
    const kept = keptFile(file, absent);
    expect(kept).toBeDefined();
    const second = await runBin(['check', file, '--target', target]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // Proof that the second reading came from the cache, not from the file: a changed kept copy shows.
    const copy = JSON.parse(readFileSync(kept!, 'utf8')) as { name: string };
    writeFileSync(kept!, JSON.stringify({ ...copy, name: 'read from the cache' }));
    const third = await runBin(['check', file, '--target', target]);
    expect(third.stdout).toContain('read from the cache');
    // PGSPEC_SPEC_CACHE=off reads the file itself.
    const off = await runBin(['check', file, '--target', target], { PGSPEC_SPEC_CACHE: 'off' });
    expect(off.stdout).not.toContain('read from the cache');
    expect(off.stdout).toContain(`absent-${process.pid}`);
  });

  it('reads an edited file afresh', async () => {
    const file = specFile('edited.spec.yaml', absent);
    expect((await runBin(['check', file, '--target', target])).code).toBe(0);
    const present = absent.replace('    exists: false\n', '');
    writeFileSync(file, present);
    const run = await runBin(['check', file, '--target', target]);
    expect(run.code).toBe(1);
    expect(lastLine(run.stdout)).toBe('0 passed, 1 failed');
    expect(keptFile(file, present)).toBeDefined();
  });

  it('never keeps an invalid spec: it is reported on every run', async () => {
    const bad = `name: bad-${process.pid}\npost:\n  - table: public.t\n    exsts: false\n`;
    const file = specFile('bad.spec.yaml', bad);
    for (let i = 0; i < 2; i++) {
      const run = await runBin(['check', file, '--target', target]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file}:4:5: post[0].exsts: unknown key "exsts"`);
    }
    expect(keptFile(file, bad)).toBeUndefined();
  });
});
