import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.ts';
import { parseChangeLine } from '../../src/spec/changes.ts';
import { parseYamlSpec } from '../../src/spec/load.ts';
import type { ChangeDecl } from '../../src/spec/model.ts';

const decl = (text: string, mode: 'changes' | 'ignore' = 'changes'): Omit<ChangeDecl, 'text'> => {
  const parsed = parseChangeLine(text, mode);
  if (!parsed.ok) throw new Error(`expected "${text}" to parse, got: ${parsed.detail}`);
  const { text: written, ...rest } = parsed.decl;
  expect(written).toBe(text);
  return rest;
};

const problem = (text: string, mode: 'changes' | 'ignore' = 'changes'): string => {
  const parsed = parseChangeLine(text, mode);
  if (parsed.ok) throw new Error(`expected "${text}" to be rejected, got ${JSON.stringify(parsed.decl)}`);
  return parsed.detail;
};

describe('changes lines', () => {
  it.each<[string, Omit<ChangeDecl, 'text'>]>([
    ['drop table public.users', { verb: 'drop', kind: 'table', name: 'public.users' }],
    ['DROP TABLE public.users', { verb: 'drop', kind: 'table', name: 'public.users' }],
    ['add policy "Users read own" on storage.objects', { verb: 'add', kind: 'policy', name: '"Users read own"', on: 'storage.objects' }],
    ['drop policy Users can view own documents on storage.objects', { verb: 'drop', kind: 'policy', name: 'Users can view own documents', on: 'storage.objects' }],
    ['drop trigger on_auth_user_created on auth.users', { verb: 'drop', kind: 'trigger', name: 'on_auth_user_created', on: 'auth.users' }],
    ['drop function public.handle_new_user()', { verb: 'drop', kind: 'function', name: 'public.handle_new_user()' }],
    ['add function public.f(numeric(12, 2), text)', { verb: 'add', kind: 'function', name: 'public.f(numeric(12, 2), text)' }],
    ['alter column public.orders.status', { verb: 'alter', kind: 'column', name: 'public.orders.status' }],
    ['alter constraint orders_status_check on public.orders', { verb: 'alter', kind: 'constraint', name: 'orders_status_check', on: 'public.orders' }],
    ['drop foreign key orders_client_id_fkey on public.orders', { verb: 'drop', kind: 'constraint', name: 'orders_client_id_fkey', on: 'public.orders' }],
    ['add materialized view public.daily', { verb: 'add', kind: 'materializedView', name: 'public.daily' }],
    ['add materializedView public.daily', { verb: 'add', kind: 'materializedView', name: 'public.daily' }],
    ['add index public.orders_idx', { verb: 'add', kind: 'index', name: 'public.orders_idx' }],
    ['add index orders_idx on public.orders', { verb: 'add', kind: 'index', name: 'orders_idx', on: 'public.orders' }],
    ['alter enum public.mood', { verb: 'alter', kind: 'enum', name: 'public.mood' }],
    ['add table app."Order Items"', { verb: 'add', kind: 'table', name: 'app."Order Items"' }],
    ['add schema documents', { verb: 'add', kind: 'schema', name: 'documents' }],
    ['rows public.orders', { verb: 'rows', kind: 'table', name: 'public.orders' }],
    ['rows table public.orders', { verb: 'rows', kind: 'table', name: 'public.orders' }],
    ['rows documents.*', { verb: 'rows', kind: 'table', name: 'documents.*' }],
  ])('parses "%s"', (text, expected) => {
    expect(decl(text)).toEqual(expected);
  });

  it.each([
    ['', 'empty line; expected "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"'],
    ['create table public.x', '"create" is not a change (write "add"); expected "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"'],
    ['dorp table public.x', '"dorp" is not a change (did you mean "drop"?); expected "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"'],
    ['drop', 'missing the object kind after "drop"; expected "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"'],
    ['drop table', 'missing the name after "drop table"; expected "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"'],
    ['drop trigger on_auth_user_created', 'a trigger is named with its table: "drop trigger on_auth_user_created on TABLE"'],
    ['drop table public.users on auth.users', '"on TABLE" applies only to trigger, policy, constraint and index lines, not to "drop table"'],
    ['drop policy p on', 'missing the table after "on" in "drop policy p on"'],
    ['alter column status', 'a column is written schema.table.column or table.column; "status" has 1 dotted part'],
    ['drop table a.b.c', 'a table is written schema.name or name; "a.b.c" has 3 dotted parts'],
    ['drop function public.f(integer', 'a function is written schema.name(argtypes), schema.name or name; the parenthesis in "public.f(integer" is not closed'],
    ['add policy "Users read own on storage.objects', 'a double quote is not closed in: add policy "Users read own on storage.objects'],
  ])('rejects "%s"', (text, detail) => {
    expect(problem(text)).toBe(detail);
  });

  it('rejects an unknown kind with a suggestion', () => {
    expect(problem('drop tabel public.x')).toMatch(/^unknown object kind "tabel" \(did you mean "table"\?\); expected one of: schema, table, column/);
  });
});

describe('ignore lines', () => {
  it.each<[string, Omit<ChangeDecl, 'text'>]>([
    ['table supabase_migrations.*', { verb: 'any', kind: 'table', name: 'supabase_migrations.*' }],
    ['trigger * on storage.*', { verb: 'any', kind: 'trigger', name: '*', on: 'storage.*' }],
    ['policy *', { verb: 'any', kind: 'policy', name: '*' }],
    ['drop table public.tmp_*', { verb: 'drop', kind: 'table', name: 'public.tmp_*' }],
    ['rows audit.*', { verb: 'rows', kind: 'table', name: 'audit.*' }],
    ['function extensions.*', { verb: 'any', kind: 'function', name: 'extensions.*' }],
  ])('parses "%s"', (text, expected) => {
    expect(decl(text, 'ignore')).toEqual(expected);
  });

  it('rejects an unknown kind and explains the forms', () => {
    expect(problem('tabel x', 'ignore')).toMatch(/^unknown object kind "tabel" \(did you mean "table"\?\)/);
    expect(problem('create table x', 'ignore')).toBe(
      '"create" is not a change (write "add"); expected "KIND NAME [on TABLE]", "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"',
    );
  });
});

describe('changes in a spec file', () => {
  it('keeps the line of each change', () => {
    const spec = parseYamlSpec(
      'name: c\nchanges:\n  - drop table public.users\n  - add policy "Users read own" on storage.objects\nignore:\n  - table supabase_migrations.*\n',
      'c.spec.yaml',
    );
    expect(spec.changes.map((c) => [c.verb, c.kind, c.name, c.on, c.line])).toEqual([
      ['drop', 'table', 'public.users', undefined, 3],
      ['add', 'policy', '"Users read own"', 'storage.objects', 4],
    ]);
    expect(spec.ignore).toEqual([{ verb: 'any', kind: 'table', name: 'supabase_migrations.*', text: 'table supabase_migrations.*', line: 6 }]);
  });

  it('reports a bad line at its line with what is expected', () => {
    let error: unknown;
    try {
      parseYamlSpec('name: c\nchanges:\n  - drop table public.users\n  - remove trigger t on public.x\n', 'c.spec.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).message).toBe(
      'c.spec.yaml:4:5: changes[1]: "remove" is not a change (write "drop"); expected "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE"',
    );
  });

  it('rejects a change that is not a line of text', () => {
    expect(() => parseYamlSpec('name: c\nignore:\n  - { table: x }\n', 'c.spec.yaml')).toThrow(
      'c.spec.yaml:3:5: ignore[0]: expected a line such as "table supabase_migrations.*", got a mapping',
    );
  });
});
