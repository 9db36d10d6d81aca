import { describe, expect, it } from 'vitest';
import { parseColumnName, parseQualified, resolvePart, splitName } from '../../src/spec/names.ts';

// parseQualified and parseColumnName read plain names (letters, digits, _ and $, dotted) without
// the quote-aware scan; every name must resolve as the general rules resolve it, part by part.

/** What the general rules give: split on dots outside quotes, each part resolved. */
function general(written: string) {
  return splitName(written).map((part) => resolvePart(part));
}

describe('parseQualified', () => {
  it.each(['users', 'Users', 'app.users', 'App.UserS', 'app_1.t$2', '_x.$y', 'A'])('reads the plain name %s as the general rules do', (written) => {
    const parsed = parseQualified(written)!;
    const parts = general(written);
    if (parts.length === 1) expect(parsed.schema).toEqual({ text: 'public', glob: false });
    else expect(parsed.schema).toEqual(parts[0]);
    expect(parsed.name).toEqual(parts.at(-1));
    expect(parsed.written).toBe(written);
  });

  it('folds plain parts and keeps quoted ones exact', () => {
    expect(parseQualified('App.Users')).toEqual({ schema: { text: 'app', glob: false }, name: { text: 'users', glob: false }, written: 'App.Users' });
    expect(parseQualified('"App".Users')).toEqual({ schema: { text: 'App', glob: false }, name: { text: 'users', glob: false }, written: '"App".Users' });
    expect(parseQualified('users', 'app')?.schema).toEqual({ text: 'app', glob: false });
  });

  it('leaves globs, spaces and more than two parts to the general rules', () => {
    expect(parseQualified('app.user*')?.name).toMatchObject({ text: 'user*', glob: true });
    expect(parseQualified(' app . users ')).toMatchObject({ schema: { text: 'app' }, name: { text: 'users' } });
    expect(parseQualified('1abc')?.name).toEqual({ text: '1abc', glob: false });
    expect(parseQualified('a.b.c')).toBeUndefined();
  });

  it('remembers a name with its default schema: the same text read with another default is parsed again', () => {
    const first = parseQualified('orders_memo');
    expect(parseQualified('orders_memo')).toBe(first);
    expect(parseQualified('orders_memo', 'billing')?.schema.text).toBe('billing');
    expect(parseQualified('orders_memo')?.schema.text).toBe('public');
    // A name that does not parse is remembered as such.
    expect(parseQualified('x.y.z_memo')).toBeUndefined();
    expect(parseQualified('x.y.z_memo')).toBeUndefined();
    expect(parseColumnName('app.t_memo.c')).toBe(parseColumnName('app.t_memo.c'));
  });
});

describe('parseColumnName', () => {
  it.each(['users.email', 'Users.EMail', 'app.users.email', 'App.T$1._c'])('reads the plain name %s as the general rules do', (written) => {
    const parsed = parseColumnName(written)!;
    const parts = general(written);
    expect(parsed.column).toEqual(parts.at(-1));
    expect(parsed.table.name).toEqual(parts.at(-2));
    expect(parsed.table.schema).toEqual(parts.length === 3 ? parts[0] : { text: 'public', glob: false });
    expect(parsed.table.written).toBe(written.slice(0, written.lastIndexOf('.')));
  });

  it('keeps quoted parts exact and rejects names of one or four parts', () => {
    expect(parseColumnName('app."Users".Email')).toEqual({
      table: { schema: { text: 'app', glob: false }, name: { text: 'Users', glob: false }, written: 'app."Users"' },
      column: { text: 'email', glob: false },
    });
    expect(parseColumnName('email')).toBeUndefined();
    expect(parseColumnName('a.b.c.d')).toBeUndefined();
  });
});
