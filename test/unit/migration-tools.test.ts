import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseObjectRef, privilegeKey, privilegeList } from '../../src/check/privileges.ts';
import { readMigrationFolder } from '../../src/spec/migration-folder.ts';
import { compareVersions, historyKey, sameVersion, versionOfFile } from '../../src/spec/migration-tools.ts';
import { normalizeHistory } from '../../src/targets/migration-history.ts';

// Each tool's naming rules (versions from file names, version order) and history rows, as pure functions.

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgspec-folder-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('versions from file names', () => {
  it('follows each tool\'s naming rule, and skips what the tool would not run', () => {
    expect(versionOfFile('supabase', '20240101000000_create_notes.sql')).toBe('20240101000000');
    expect(versionOfFile('supabase', 'seed.sql')).toBeUndefined();
    expect(versionOfFile('dbmate', '20240101000000_create_notes.sql')).toBe('20240101000000');
    expect(versionOfFile('flyway', 'V1_1__add_title.sql')).toBe('1.1');
    expect(versionOfFile('flyway', 'V2__x.sql')).toBe('2');
    expect(versionOfFile('flyway', 'R__views.sql')).toBeUndefined();
    expect(versionOfFile('flyway', 'U2__undo.sql')).toBeUndefined();
    expect(versionOfFile('knex', '20240101000000_init.js')).toBe('20240101000000_init');
    expect(versionOfFile('knex', '20240101000000_init.sql')).toBeUndefined();
    expect(versionOfFile('node-pg-migrate', '1700000000000_init.sql')).toBe('1700000000000_init');
    expect(versionOfFile('node-pg-migrate', 'types.d.ts')).toBeUndefined();
    expect(versionOfFile('node-pg-migrate', 'README.md')).toBeUndefined();
  });

  it('orders Flyway versions by number and compares them as Flyway does', () => {
    expect(['10', '2', '1.10', '1.9', '1'].sort((a, b) => compareVersions('flyway', a, b))).toEqual(['1', '1.9', '1.10', '2', '10']);
    expect(sameVersion('flyway', '1.0', '1')).toBe(true);
    expect(sameVersion('flyway', '01', '1')).toBe(true);
    expect(sameVersion('dbmate', '01', '1')).toBe(false);
  });

  it('keys histories by tool and table, folding names as SQL does', () => {
    expect(historyKey('knex')).toBe('knex public.knex_migrations');
    expect(historyKey('flyway', 'App', '"History"')).toBe('flyway app."History"');
  });
});

describe('reading a migrations folder', () => {
  it('Prisma: one folder per migration holding migration.sql', async () => {
    const dir = folder({ '20240102_b/migration.sql': '', '20240101_a/migration.sql': '', 'migration_lock.toml': '', 'notes/README.md': '' });
    expect((await readMigrationFolder('prisma', dir, 'm')).migrations.map((m) => m.version)).toEqual(['20240101_a', '20240102_b']);
  });

  it('Alembic: revision and down_revision, old and typed templates, merges', async () => {
    const dir = folder({
      'env.py': '',
      'versions/a_init.py': "revision = 'aaa'\ndown_revision = None\n",
      'versions/b_next.py': 'revision: str = "bbb"\ndown_revision: Union[str, None] = "aaa"\n',
      'versions/c_merge.py': "revision = 'ccc'\ndown_revision = ('aaa', 'bbb')\n",
      'versions/__init__.py': '',
    });
    expect((await readMigrationFolder('alembic', dir, 'm')).migrations).toEqual([
      { version: 'aaa', file: 'a_init.py', parents: [] },
      { version: 'bbb', file: 'b_next.py', parents: ['aaa'] },
      { version: 'ccc', file: 'c_merge.py', parents: ['aaa', 'bbb'] },
    ]);
  });

  it('Flyway: versioned scripts in version order', async () => {
    const dir = folder({ 'V10__c.sql': '', 'V2__b.sql': '', 'V1__a.sql': '', 'R__v.sql': '' });
    expect((await readMigrationFolder('flyway', dir, 'm')).migrations.map((m) => m.file)).toEqual(['V1__a.sql', 'V2__b.sql', 'V10__c.sql']);
  });
});

describe('history rows', () => {
  it('Prisma: the last row of a migration decides; rolled back and failed rows are told apart', () => {
    const rows = [
      { id: '2', migration_name: 'b', started_at: '2024-01-02', finished_at: null, rolled_back_at: '2024-01-02' },
      { id: '1', migration_name: 'a', started_at: '2024-01-01', finished_at: '2024-01-01', rolled_back_at: null },
      { id: '3', migration_name: 'c', started_at: '2024-01-03', finished_at: null, rolled_back_at: null },
    ];
    expect(normalizeHistory('prisma', rows).map((e) => `${e.version} ${e.state}`)).toEqual(['a applied', 'b rolled back', 'c failed']);
  });

  it('Flyway: rows without a version are left out; success false is failed; an undo takes a version back', () => {
    const rows = [
      { installed_rank: 3, version: '2', description: 'b', type: 'SQL', success: false },
      { installed_rank: 0, version: null, description: '<< Flyway Schema Creation >>', type: 'SCHEMA', success: true },
      { installed_rank: 1, version: '1', description: 'a', type: 'SQL', success: true },
      { installed_rank: 2, version: null, description: 'views', type: 'SQL', success: true },
      { installed_rank: 4, version: '1', description: 'a', type: 'UNDO_SQL', success: true },
    ];
    expect(normalizeHistory('flyway', rows).map((e) => `${e.version} ${e.state}`)).toEqual(['1 applied', '2 failed', '1 rolled back']);
  });
});

describe('privilege references', () => {
  it('parses the object kind, normalises privilege lists and keys records by role and object', () => {
    expect(parseObjectRef('materialized view public.m')).toEqual({ kind: 'materialized view', name: 'public.m' });
    expect(parseObjectRef('function public.f(integer, text)')).toEqual({ kind: 'function', name: 'public.f(integer, text)' });
    expect(parseObjectRef('index public.i')).toBeUndefined();
    expect(privilegeList('SELECT, Insert,select')).toEqual(['select', 'insert']);
    expect(privilegeKey('Admin', 'table public.t')).toBe('"Admin" on table public.t');
    expect(privilegeKey('public', 'schema app')).toBe('public on schema app');
  });
});
