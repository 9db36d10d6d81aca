import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeSnapshot } from '../../src/snapshot/serialize.ts';
import { emptySnapshot } from '../../src/snapshot/types.ts';
import { lastLine, runBin, tempFiles } from '../support/cli.ts';

// bin/pgspec.js runs the CLI bundle from V8's code cache, where import() has no loader to call:
// specs and configs written as modules are imported by the bin itself. The cache is written by
// a command's first run and read by the next ones, so the spec must load on every run.

describe('a spec written as a TypeScript module, through the bin', () => {
  it('loads on every run, before and after the code cache is written', async () => {
    const dir = tempFiles({
      'package.json': '{ "type": "module" }\n',
      'module.spec.ts': `const name: string = 'module-${process.pid}';\nexport default { name, post: [{ table: 'public.nothing', exists: false }] };\n`,
    });
    const target = join(dir, 'empty.snapshot.json');
    writeFileSync(target, serializeSnapshot(emptySnapshot()));
    for (let i = 0; i < 3; i++) {
      const run = await runBin(['check', join(dir, 'module.spec.ts'), '--target', target]);
      expect(run.stderr).not.toContain('could not be loaded');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`module-${process.pid}`);
      expect(lastLine(run.stdout)).toBe('1 passed, 0 failed');
    }
  });
});
