import { describe, expect, it } from 'vitest';
import { splitScript } from '../../src/targets/sql-script.ts';

describe('splitScript', () => {
  it('splits statements and keeps the line each starts on', () => {
    const parts = splitScript('SELECT 1;\n\n-- a comment; with a semicolon\nSELECT 2;\n');
    expect(parts).toEqual([
      { type: 'sql', text: 'SELECT 1;', line: 1 },
      { type: 'sql', text: 'SELECT 2;', line: 4 },
    ]);
  });

  it('does not split inside strings, quoted identifiers, dollar quotes or block comments', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s;');",
      'CREATE TABLE "we;ird" (x int);',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;',
      '/* outer /* nested; */ still comment; */ SELECT 3;',
      "SELECT E'escaped \\' quote;';",
    ].join('\n');
    const parts = splitScript(sql);
    expect(parts.map((p) => p.type)).toEqual(['sql', 'sql', 'sql', 'sql', 'sql']);
    expect(parts[2]!.text).toContain('$body$ SELECT 1; $body$');
    expect(parts[3]!.text).toBe('SELECT 3;');
    expect(parts[4]!.line).toBe(5);
  });

  it('takes COPY data up to \\. and treats backslash lines at a statement start as meta-commands', () => {
    const sql = ['\\connect shop', 'COPY public.t (a, b) FROM stdin;', '1\tx;y', '2\t\\N', '\\.', '', 'SELECT 1;'].join('\n');
    const parts = splitScript(sql);
    expect(parts).toEqual([
      { type: 'meta', text: '\\connect shop', line: 1 },
      { type: 'copy', text: 'COPY public.t (a, b) FROM stdin;', line: 2, data: '1\tx;y\n2\t\\N\n' },
      { type: 'sql', text: 'SELECT 1;', line: 7 },
    ]);
  });

  it('keeps a last statement without a semicolon', () => {
    expect(splitScript('SELECT 1;\nSELECT 2')).toEqual([
      { type: 'sql', text: 'SELECT 1;', line: 1 },
      { type: 'sql', text: 'SELECT 2', line: 2 },
    ]);
  });
});
