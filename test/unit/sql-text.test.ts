import { beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalSignature,
  canonicalType,
  initSqlParser,
  normalizeExpression,
  sameExpression,
  sameType,
} from '../../src/check/sql-text.ts';

beforeAll(async () => {
  await initSqlParser();
});

describe('initSqlParser', () => {
  it('is idempotent', async () => {
    await initSqlParser();
    await Promise.all([initSqlParser(), initSqlParser()]);
    expect(canonicalType('int')).toBe('integer');
  });
});

describe('canonicalType', () => {
  // Expected spellings were checked against format_type() on PostgreSQL 17 with an empty search_path.
  it.each([
    ['int', 'integer'], ['int4', 'integer'], ['integer', 'integer'], ['INTEGER', 'integer'],
    ['int8', 'bigint'], ['bigint', 'bigint'], ['int2', 'smallint'], ['smallint', 'smallint'],
    ['float8', 'double precision'], ['double precision', 'double precision'], ['float', 'double precision'],
    ['float4', 'real'], ['real', 'real'], ['float(24)', 'real'],
    ['bool', 'boolean'], ['boolean', 'boolean'],
    ['varchar(40)', 'character varying(40)'], ['character varying(40)', 'character varying(40)'],
    ['varchar', 'character varying'], ['char varying(3)', 'character varying(3)'],
    ['char(3)', 'character(3)'], ['character(3)', 'character(3)'], ['bpchar(3)', 'character(3)'],
    ['char', 'character(1)'], ['character', 'character(1)'], ['bpchar', 'bpchar'], ['"char"', '"char"'],
    ['decimal(12,2)', 'numeric(12,2)'], ['numeric(12, 2)', 'numeric(12,2)'], ['numeric(12)', 'numeric(12,0)'],
    ['numeric', 'numeric'], ['dec', 'numeric'],
    ['timestamptz', 'timestamp with time zone'], ['timestamp with time zone', 'timestamp with time zone'],
    ['timestamp', 'timestamp without time zone'], ['timestamp(3)', 'timestamp(3) without time zone'],
    ['timestamp(0) with time zone', 'timestamp(0) with time zone'],
    ['time', 'time without time zone'], ['time(3)', 'time(3) without time zone'], ['timetz', 'time with time zone'],
    ['interval', 'interval'], ['interval(2)', 'interval(2)'], ['interval day to second(3)', 'interval day to second(3)'],
    ['interval hour to minute', 'interval hour to minute'], ['interval year', 'interval year'],
    ['bit varying(5)', 'bit varying(5)'], ['varbit(5)', 'bit varying(5)'], ['bit', 'bit(1)'], ['bit(3)', 'bit(3)'],
    ['int[]', 'integer[]'], ['integer[]', 'integer[]'], ['_int4', 'integer[]'], ['int[][]', 'integer[]'],
    ['int array[3]', 'integer[]'], ['character varying(20)[]', 'character varying(20)[]'],
    ['text', 'text'], ['uuid', 'uuid'], ['jsonb', 'jsonb'], ['json', 'json'],
    ['pg_catalog.int4', 'integer'], ['pg_catalog.text', 'text'],
    ['setof integer', 'setof integer'],
  ])('%s -> %s', (written, canonical) => {
    expect(canonicalType(written)).toBe(canonical);
  });

  it('leaves serial alone: it is not a type', () => {
    expect(canonicalType('serial')).toBe('serial');
  });

  it('prints user types as written, quoting where quote_identifier would', () => {
    expect(canonicalType('public.mood')).toBe('public.mood');
    expect(canonicalType('PUBLIC.Mood')).toBe('public.mood');
    expect(canonicalType('"Weird"."My Type"')).toBe('"Weird"."My Type"');
    expect(canonicalType('public."user"')).toBe('public."user"');
    expect(canonicalType('public.int[]')).toBe('public."int"[]');
    expect(canonicalType('public.mood[][]')).toBe('public.mood[]');
    expect(canonicalType('x$y')).toBe('"x$y"');
  });

  it('falls back to trimmed, lower-cased text when the type does not parse', () => {
    expect(canonicalType('  TABLE(id integer,   name text) ')).toBe('table(id integer, name text)');
    expect(canonicalType('int; drop table x')).toBe('int; drop table x');
  });
});

describe('sameType', () => {
  it('compares canonical spellings', () => {
    expect(sameType('varchar(40)', 'character varying(40)')).toBe(true);
    expect(sameType('int', 'integer')).toBe(true);
    expect(sameType('timestamptz', 'timestamp with time zone')).toBe(true);
    expect(sameType('int[]', 'integer[]')).toBe(true);
    expect(sameType('text', 'character varying')).toBe(false);
  });

  it('compares modifiers exactly', () => {
    expect(sameType('numeric', 'numeric(12,2)')).toBe(false);
    expect(sameType('numeric(12,2)', 'numeric')).toBe(false);
    expect(sameType('numeric(12, 2)', 'numeric(12,2)')).toBe(true);
    expect(sameType('varchar(40)', 'character varying(20)')).toBe(false);
    expect(sameType('char', 'character(1)')).toBe(true);
  });

  it('drops pg_catalog on the spec side', () => {
    expect(sameType('pg_catalog.int4', 'integer')).toBe(true);
    expect(sameType('pg_catalog.varchar(3)', 'character varying(3)')).toBe(true);
  });

  it('reads an unqualified user type as public', () => {
    expect(sameType('mood', 'public.mood')).toBe(true);
    expect(sameType('mood[]', 'public.mood[]')).toBe(true);
    expect(sameType('public.mood', 'public.mood')).toBe(true);
    expect(sameType('mood', 'app.mood')).toBe(false);
    expect(sameType('app.mood', 'public.mood')).toBe(false);
  });

  it('folds unquoted names and keeps quoted ones exact', () => {
    expect(sameType('Mood', 'public.mood')).toBe(true);
    expect(sameType('Mood', 'public."Mood"')).toBe(false);
    expect(sameType('"Mood"', 'public."Mood"')).toBe(true);
    expect(sameType('"Weird"."My Type"', '"Weird"."My Type"')).toBe(true);
    expect(sameType('public."user"', 'public."user"')).toBe(true);
  });

  it('compares type modifiers of extension types through the parser on both sides', () => {
    expect(sameType('geometry(Point, 4326)', 'public.geometry(Point,4326)')).toBe(true);
  });
});

describe('canonicalSignature', () => {
  it('splits schema, name and canonical argument types', () => {
    expect(canonicalSignature('public.f(int, varchar(3))')).toEqual({
      schema: 'public', name: 'f', args: ['integer', 'character varying(3)'],
    });
  });

  it('reads a missing argument list as all overloads and () as none', () => {
    expect(canonicalSignature('public.handle_new_user')).toEqual({ schema: 'public', name: 'handle_new_user', args: undefined });
    expect(canonicalSignature('auth.uid()')).toEqual({ schema: 'auth', name: 'uid', args: [] });
    expect(canonicalSignature('now()')).toEqual({ schema: undefined, name: 'now', args: [] });
  });

  it('folds unquoted names and keeps quoted ones exact', () => {
    expect(canonicalSignature('App.Fn(int)')).toEqual({ schema: 'app', name: 'fn', args: ['integer'] });
    expect(canonicalSignature('"My Schema"."Fn(x)"(int)')).toEqual({ schema: 'My Schema', name: 'Fn(x)', args: ['integer'] });
  });

  it('handles multi-word, array, qualified and modified types', () => {
    expect(canonicalSignature('f(double precision, timestamp with time zone, character varying, text[], public.mood, numeric(12,2))').args)
      .toEqual(['double precision', 'timestamp with time zone', 'character varying', 'text[]', 'public.mood', 'numeric(12,2)']);
  });

  it('drops argument names, modes and defaults, and OUT arguments', () => {
    expect(canonicalSignature('f(x integer, IN y character varying, OUT z int, INOUT w int8, VARIADIC v text[])').args)
      .toEqual(['integer', 'character varying', 'bigint', 'text[]']);
    expect(canonicalSignature('f("My Arg" text, m public.mood, d double precision, a int default 1, b int = 2)').args)
      .toEqual(['text', 'public.mood', 'double precision', 'integer', 'integer']);
    expect(canonicalSignature('f(name text, name)').args).toEqual(['text', 'name']);
  });
});

describe('sameExpression', () => {
  // Most stored forms are copied from pg_get_expr / pg_get_constraintdef on PostgreSQL 17 with an empty search_path.
  it.each([
    ['casts PostgreSQL adds to string literals', "bucket_id = 'documents'", "(bucket_id = 'documents'::text)"],
    ['redundant parentheses', 'auth.uid() = user_id', '(auth.uid() = user_id)'],
    ['the column name pg_get_expr gives a sublink', '(select auth.uid()) = owner_id', '(( SELECT auth.uid() AS uid) = owner_id)'],
    ['IN as = ANY (ARRAY[..])', "status in ('a','b')", "(status = ANY (ARRAY['a'::text, 'b'::text]))"],
    ['IN on a varchar column', "status in ('a','b')",
      "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"],
    ['NOT IN as <> ALL (ARRAY[..])', "s not in ('a','b')", "(s <> ALL (ARRAY['a'::text, 'b'::text]))"],
    ['casts on numeric literals', 'price > 0', '(price > (0)::numeric)'],
    ['casts on decimal literals', 'f > 1.5', '(f > (1.5)::double precision)'],
    ['quoted negative literals', 'n > -1', "(n > '-1'::integer)"],
    ['nested AND', 'a and b and c', '((a AND b) AND c)'],
    ['right-nested AND', 'a and (b and c)', '((a AND b) AND c)'],
    ['nested OR inside AND', 'm <> 3 and (m < 100 or m > 200)', '((m <> 3) AND ((m < 100) OR (m > 200)))'],
    ['identical function calls', 'now()', 'now()'],
    ['public. inside a regclass literal', "nextval('orders_id_seq'::regclass)", "nextval('public.orders_id_seq'::regclass)"],
    ['a regclass literal without its cast', "nextval('orders_id_seq')", "nextval('public.orders_id_seq'::regclass)"],
    ['casts around function results', '(storage.foldername(name))[1] = auth.uid()::text',
      '((storage.foldername(name))[1] = (auth.uid())::text)'],
    ['!= as <>', 'a != b', '(a <> b)'],
    ['BETWEEN as >= AND <=', 'qty between 1 and 10', '((qty >= 1) AND (qty <= 10))'],
    ['NOT BETWEEN as < OR >', 'qty not between 1 and 10', '((qty < 1) OR (qty > 10))'],
    ['LIKE as ~~', "s like 'a%'", "(s ~~ 'a%'::text)"],
    ['ILIKE as ~~*', "s ilike 'a%'", "(s ~~* 'a%'::text)"],
    ['varchar and char columns relabelled to text', "code = 'abc' and status = 'x'",
      "((code = 'abc'::bpchar) AND ((status)::text = 'x'::text))"],
    ['interval literals', "now() + interval '1 day'", "(now() + '1 day'::interval)"],
    ['pg_catalog and public function qualifiers', 'lower(name) = public.f(x)', '(pg_catalog.lower(name) = f(x))'],
    ['qualified operators', 'a = b', 'a OPERATOR(pg_catalog.=) b'],
    ['type spellings in casts', 'x::int4 = y::varchar', '((x)::integer = (y)::character varying)'],
    ['public types in casts', 'x::mood = y', '((x)::public.mood = y)'],
    ['public tables in subqueries', 'exists (select 1 from orders o where o.id = orders.id and o.user_id = auth.uid())',
      '(EXISTS ( SELECT 1\n   FROM public.orders o\n  WHERE ((o.id = orders.id) AND (o.user_id = auth.uid()))))'],
    ['unquoted identifier case', 'Bucket_ID = NOW()', 'bucket_id = now()'],
    ['whitespace', 'a   =\n b', 'a = b'],
  ])('ignores %s', (_rule, spec, stored) => {
    expect(sameExpression(spec, stored)).toBe(true);
  });

  it.each([
    ['a different literal', "bucket_id = 'documents'", "(bucket_id = 'avatars'::text)"],
    ['a different operator', 'a > 0', 'a >= 0'],
    ['AND versus OR', 'a and b', 'a or b'],
    ['NOT', 'not a', 'a'],
    ['IN versus NOT IN', "s in ('a','b')", "(s <> ALL (ARRAY['a'::text, 'b'::text]))"],
    ['a different list', "s in ('a','b')", "(s = ANY (ARRAY['a'::text, 'c'::text]))"],
    ['a cast on a column to a non-text type', 'created_at::date = d', 'created_at = d'],
    ['a different function schema', 'auth.uid() = user_id', 'app.uid() = user_id'],
    ['a different table schema', 'exists (select 1 from orders)', 'exists (select 1 from app.orders)'],
    ['quoted identifier case', '"Owner" = 1', 'owner = 1'],
    ['NULL versus a string', 'a = null', "a = 'null'"],
  ])('sees %s', (_rule, spec, stored) => {
    expect(sameExpression(spec, stored)).toBe(false);
  });

  it('falls back to whitespace-normalised, case-insensitive text when a side does not parse', () => {
    expect(sameExpression('a b c (', 'A  B\nc (')).toBe(true);
    expect(sameExpression('a b c (', 'a b d (')).toBe(false);
    expect(sameExpression('a = 1; drop table t', 'A = 1;  DROP TABLE t')).toBe(true);
  });
});

describe('normalizeExpression', () => {
  it('returns the normalised tree without locations or casts on literals', () => {
    expect(normalizeExpression("(bucket_id = 'documents'::text)")).toEqual({
      A_Expr: {
        kind: 'AEXPR_OP',
        name: [{ String: { sval: '=' } }],
        lexpr: { ColumnRef: { fields: [{ String: { sval: 'bucket_id' } }] } },
        rexpr: { A_Const: { value: 'documents' } },
      },
    });
  });

  it('throws when the text is not one expression', () => {
    expect(() => normalizeExpression('a from t')).toThrow(/not a single SQL expression/);
    expect(() => normalizeExpression('a, b')).toThrow(/not a single SQL expression/);
    expect(() => normalizeExpression('a as b')).toThrow(/not a single SQL expression/);
  });
});
