import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';

function stream(tty: boolean) {
  let text = '';
  const s = new Writable({
    write(chunk: Buffer, _e, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean };
  s.isTTY = tty;
  return { s, text: () => text };
}

describe('progress output', () => {
  it('on a terminal: one status line rewritten in place, cleared at the end', () => {
    const out = stream(true);
    const progress = createProgress(out.s, {}, false)!;
    progress('loading baseline schema.sql');
    progress('applying 001_init.sql');
    progress.done();
    // eslint-disable-next-line no-control-regex -- the terminal escape sequences are what is tested
    expect(out.text()).toMatch(/^\r\x1b\[2K. loading baseline schema\.sql \x1b\[2m0\.\ds\x1b\[22m\r\x1b\[2K. applying 001_init\.sql/);
    expect(out.text().endsWith('\r\x1b[2K')).toBe(true);
    expect(out.text()).not.toContain('\n');
  });

  it('with CI=true or no terminal: plain timestamped lines, passwords masked', () => {
    for (const [tty, env] of [[true, { CI: 'true' }], [false, {}]] as const) {
      const out = stream(tty);
      const progress = createProgress(out.s, env, false)!;
      progress('connecting to postgres://app:hunter2-secret@db.internal:5432/app');
      progress.done();
      expect(out.text()).toMatch(/^\[\d\d:\d\d:\d\d\] connecting to postgres:\/\/app:\*\*\*\*@db\.internal:5432\/app\n$/);
    }
  });

  it('--quiet: no progress at all', () => {
    expect(createProgress(stream(true).s, {}, true)).toBeUndefined();
  });
});
