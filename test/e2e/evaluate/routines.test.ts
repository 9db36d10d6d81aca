import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSqlParser } from '../../../src/check/sql-text.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { captureState, ensureRole, outcome, verdict } from '../../support/evaluate.ts';

// Acceptance matrix (issue #2) for function and procedure: identities with argument types in
// any spelling, overloads, aggregates, and every property, against a real PostgreSQL 17.

const OWNER = 'pgspec_eval_owner';

const FIXTURE = `
CREATE SCHEMA billing;
CREATE SCHEMA app;

CREATE FUNCTION public.handle_new_user() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
  AS $$ BEGIN RETURN NEW; END $$;

-- Two overloads of one name.
CREATE FUNCTION billing.add_tax(amount numeric, rate numeric DEFAULT 0.2) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS $$ SELECT amount * (1 + rate) $$;
CREATE FUNCTION billing.add_tax(amount integer) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS $$ SELECT amount * 1.2 $$;

CREATE FUNCTION billing.format_amount(amount numeric) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(amount, 'FM999990.00') $$;
CREATE FUNCTION billing.format_amount(amount numeric, currency text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(amount, 'FM999990.00') || ' ' || currency $$;

CREATE FUNCTION billing.invoice_lines(invoice_id bigint)
  RETURNS TABLE (line_no integer, description text, amount numeric(12,2))
  LANGUAGE sql STABLE AS $$ SELECT 1, 'consulting'::text, 100.00::numeric(12,2) $$;

CREATE FUNCTION billing.open_invoice_ids() RETURNS SETOF bigint
  LANGUAGE sql STABLE SET search_path = billing, public AS $$ SELECT 1::bigint $$;

CREATE FUNCTION billing.current_period() RETURNS date
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$ SELECT date_trunc('month', now())::date $$;

CREATE FUNCTION billing.touch(ts timestamptz, label varchar) RETURNS void
  LANGUAGE plpgsql AS $$ BEGIN PERFORM ts, label; END $$;
ALTER FUNCTION billing.touch(timestamptz, varchar) OWNER TO ${OWNER};

CREATE AGGREGATE billing.total(numeric) (sfunc = numeric_add, stype = numeric, initcond = '0');

CREATE FUNCTION app."NormalizeEmail"(email text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT lower(trim(email)) $$;

CREATE PROCEDURE billing.close_period(period date)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = billing
  AS $$ BEGIN RAISE NOTICE 'closing %', period; END $$;
CREATE PROCEDURE billing.recompute() LANGUAGE sql AS $$ SELECT 1 $$;
ALTER PROCEDURE billing.recompute() OWNER TO ${OWNER};
`;

/** The migration between the pre and the post state. */
const MIGRATION = `
DROP FUNCTION public.handle_new_user();
CREATE OR REPLACE FUNCTION billing.add_tax(amount numeric, rate numeric DEFAULT 0.2) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS $$ SELECT round(amount * (1 + rate), 2) $$;
DROP FUNCTION billing.format_amount(numeric, text);
ALTER PROCEDURE billing.recompute() SECURITY DEFINER;
`;

let db: TestDatabase;
let pre: Snapshot;
let post: Snapshot;

beforeAll(async () => {
  await initSqlParser();
  await ensureRole(OWNER);
  db = await createTestDatabase(FIXTURE, 'eval_routines');
  pre = await captureState(db.url);
  await db.exec(MIGRATION);
  post = await captureState(db.url);
});

afterAll(async () => {
  await db?.drop();
});

describe('function: identity', () => {
  it('exists, by signature; argument types in any spelling, names allowed', () => {
    expect(outcome('- function: billing.add_tax(numeric, numeric)', post)).toEqual({
      state: 'passed',
      message: 'function billing.add_tax(numeric, numeric) as expected',
    });
    expect(outcome('- function: billing.touch(timestamp with time zone, character varying)', post)).toEqual({
      state: 'passed',
      message: 'function billing.touch(timestamp with time zone, character varying) as expected',
    });
    expect(outcome('- function: billing.touch(ts timestamptz, label varchar)', post)).toEqual({
      state: 'passed',
      message: 'function billing.touch(ts timestamptz, label varchar) as expected',
    });
    // Modifiers in argument types are discarded by CREATE FUNCTION, so they cannot tell overloads apart.
    expect(outcome('- function: billing.touch(timestamptz, varchar(40))', post)).toEqual({
      state: 'passed',
      message: 'function billing.touch(timestamptz, varchar(40)) as expected',
    });
    expect(outcome('- function: billing.add_tax(int4)', post)).toEqual({
      state: 'passed',
      message: 'function billing.add_tax(int4) as expected',
    });
  });

  it('a signature that matches no overload fails and lists the overloads', () => {
    expect(outcome('- function: billing.add_tax(text)', post)).toEqual({
      state: 'failed',
      message: 'function billing.add_tax(text) does not exist (overloads: billing.add_tax(integer), billing.add_tax(numeric, numeric))',
    });
    expect(outcome('- function: billing.refund(numeric)', post)).toEqual({
      state: 'failed',
      message: 'function billing.refund(numeric) does not exist',
    });
  });

  it('without parentheses the name means every overload', () => {
    expect(outcome('- function: billing.add_tax', post)).toEqual({
      state: 'passed',
      message: '2 functions match billing.add_tax, all as expected',
    });
    expect(outcome('- { function: billing.add_tax, language: plpgsql }', post)).toEqual({
      state: 'failed',
      message:
        '2 of 2 functions matching billing.add_tax failed: billing.add_tax(integer): language is sql, expected plpgsql; billing.add_tax(numeric, numeric): language is sql, expected plpgsql',
    });
  });

  it('exists: false, for one signature and for every overload', () => {
    expect(outcome('- { function: public.handle_new_user(), exists: false }', post)).toEqual({
      state: 'passed',
      message: 'function public.handle_new_user() does not exist',
    });
    expect(outcome('- { function: billing.add_tax(integer), exists: false }', post)).toEqual({
      state: 'failed',
      message: 'function billing.add_tax(integer) exists, expected it to be absent',
    });
    expect(outcome('- { function: billing.add_tax, exists: false }', post)).toEqual({
      state: 'failed',
      message: '2 functions match billing.add_tax, expected none: billing.add_tax(integer), billing.add_tax(numeric, numeric)',
    });
    expect(outcome('- { function: "public.handle_*", exists: false }', post)).toEqual({
      state: 'passed',
      message: 'function public.handle_* does not exist',
    });
  });

  it('aggregates are functions; procedures are not', () => {
    expect(outcome('- function: billing.total(numeric)', post)).toEqual({
      state: 'passed',
      message: 'function billing.total(numeric) as expected',
    });
    expect(outcome('- function: billing.recompute()', post)).toEqual({
      state: 'failed',
      message: 'function billing.recompute() does not exist',
    });
  });

  it('a mixed-case name: quoted is exact, unquoted folds and the failure suggests it', () => {
    expect(outcome('- function: app."NormalizeEmail"(text)', post)).toEqual({
      state: 'passed',
      message: 'function app."NormalizeEmail"(text) as expected',
    });
    expect(outcome('- function: app.NormalizeEmail(text)', post)).toEqual({
      state: 'failed',
      message: 'function app.NormalizeEmail(text) does not exist (did you mean app."NormalizeEmail"(text)?)',
    });
  });
});

describe('function: properties', () => {
  it('returns: a type, setof, table(...), trigger, void; modifiers PostgreSQL discards are ignored', () => {
    const passes = [
      '- { function: billing.add_tax(integer), returns: numeric }',
      '- { function: billing.open_invoice_ids(), returns: setof bigint }',
      '- { function: billing.open_invoice_ids(), returns: SETOF int8 }',
      // PostgreSQL stores numeric(12,2) of a function result as numeric (CREATE FUNCTION discards modifiers).
      '- { function: billing.invoice_lines(bigint), returns: "table(line_no int, description text, amount numeric(12,2))" }',
      '- { function: billing.invoice_lines(bigint), returns: "table(line_no int, description text, amount numeric)" }',
      '- { function: "billing.touch(timestamptz, varchar)", returns: void }',
      '- { function: billing.current_period(), returns: date }',
    ];
    for (const entry of passes) expect(verdict(entry, post).state, entry).toBe('passed');
    expect(outcome('- { function: public.handle_new_user(), returns: trigger }', pre)).toEqual({
      state: 'passed',
      message: 'function public.handle_new_user() as expected',
    });
  });

  it('returns: a different type, or a different column list, fails', () => {
    expect(outcome('- { function: billing.add_tax(integer), returns: integer }', post)).toEqual({
      state: 'failed',
      message: 'function billing.add_tax(integer): returns is numeric, expected integer',
    });
    expect(outcome('- { function: billing.open_invoice_ids(), returns: bigint }', post)).toEqual({
      state: 'failed',
      message: 'function billing.open_invoice_ids(): returns is SETOF bigint, expected bigint',
    });
    expect(outcome('- { function: billing.invoice_lines(bigint), returns: "table(line_no int, description text)" }', post)).toEqual({
      state: 'failed',
      message:
        'function billing.invoice_lines(bigint): returns is TABLE(line_no integer, description text, amount numeric), expected table(line_no int, description text)',
    });
  });

  it('language', () => {
    expect(outcome('- { function: "billing.touch(timestamptz, varchar)", language: PLpgSQL }', post)).toEqual({
      state: 'passed',
      message: 'function billing.touch(timestamptz, varchar) as expected',
    });
    expect(outcome('- { function: billing.add_tax(integer), language: plpgsql }', post)).toEqual({
      state: 'failed',
      message: 'function billing.add_tax(integer): language is sql, expected plpgsql',
    });
  });

  it('securityDefiner', () => {
    expect(outcome('- { function: billing.current_period(), securityDefiner: true }', post)).toEqual({
      state: 'passed',
      message: 'function billing.current_period() as expected',
    });
    expect(outcome('- { function: billing.add_tax(integer), securityDefiner: true }', post)).toEqual({
      state: 'failed',
      message: 'function billing.add_tax(integer): securityDefiner is false, expected true',
    });
  });

  it('volatility', () => {
    expect(outcome('- { function: billing.add_tax(integer), volatility: immutable }', post)).toEqual({
      state: 'passed',
      message: 'function billing.add_tax(integer) as expected',
    });
    expect(outcome('- { function: "billing.touch(timestamptz, varchar)", volatility: volatile }', post)).toEqual({
      state: 'passed',
      message: 'function billing.touch(timestamptz, varchar) as expected',
    });
    expect(outcome('- { function: billing.open_invoice_ids(), volatility: immutable }', post)).toEqual({
      state: 'failed',
      message: 'function billing.open_invoice_ids(): volatility is stable, expected immutable',
    });
  });

  it('searchPath: a list, a comma-separated string, [] / "" for the empty path, false for not set', () => {
    const passes = [
      '- { function: billing.open_invoice_ids(), searchPath: [billing, public] }',
      '- { function: billing.open_invoice_ids(), searchPath: "billing, public" }',
      '- { function: billing.current_period(), searchPath: [] }',
      '- { function: billing.current_period(), searchPath: "" }',
      '- { function: billing.add_tax(integer), searchPath: false }',
    ];
    for (const entry of passes) expect(verdict(entry, post).state, entry).toBe('passed');
    expect(outcome('- { function: billing.open_invoice_ids(), searchPath: [public, billing] }', post)).toEqual({
      state: 'failed',
      message: 'function billing.open_invoice_ids(): searchPath is [billing, public], expected [public, billing]',
    });
    expect(outcome('- { function: billing.current_period(), searchPath: false }', post)).toEqual({
      state: 'failed',
      message: 'function billing.current_period(): searchPath is [], expected not set',
    });
    expect(outcome('- { function: billing.add_tax(integer), searchPath: "" }', post)).toEqual({
      state: 'failed',
      message: 'function billing.add_tax(integer): searchPath is not set, expected []',
    });
  });

  it('owner', () => {
    expect(outcome(`- { function: "billing.touch(timestamptz, varchar)", owner: ${OWNER} }`, post)).toEqual({
      state: 'passed',
      message: 'function billing.touch(timestamptz, varchar) as expected',
    });
    expect(outcome(`- { function: billing.add_tax(integer), owner: ${OWNER} }`, post)).toEqual({
      state: 'failed',
      message: `function billing.add_tax(integer): owner is postgres, expected ${OWNER}`,
    });
  });

  it('unchanged: a changed body is a change', () => {
    expect(outcome('- { function: billing.invoice_lines(bigint), unchanged: true }', post, pre)).toEqual({
      state: 'passed',
      message: 'function billing.invoice_lines(bigint) as expected',
    });
    expect(outcome('- { function: billing.add_tax(integer), unchanged: true }', post, pre)).toEqual({
      state: 'passed',
      message: 'function billing.add_tax(integer) as expected',
    });
    const r = verdict('- { function: "billing.add_tax(numeric, numeric)", unchanged: true }', post, pre);
    expect(r.state).toBe('failed');
    expect(r.message).toMatch(/^function billing\.add_tax\(numeric, numeric\): changed since the pre state: bodyHash: [0-9a-f]{32} -> [0-9a-f]{32}$/);
  });

  it('unchanged on every overload: one that vanished fails, named', () => {
    expect(outcome('- { function: billing.format_amount, unchanged: true }', post, pre)).toEqual({
      state: 'failed',
      message:
        '1 of 2 functions matching billing.format_amount failed: billing.format_amount(numeric, text): vanished (it existed in the pre state)',
    });
  });
});

describe('procedure', () => {
  it('exists, and exists: false', () => {
    expect(outcome('- procedure: billing.close_period(date)', post)).toEqual({
      state: 'passed',
      message: 'procedure billing.close_period(date) as expected',
    });
    expect(outcome('- procedure: billing.close_period(timestamptz)', post)).toEqual({
      state: 'failed',
      message: 'procedure billing.close_period(timestamptz) does not exist (overloads: billing.close_period(date))',
    });
    expect(outcome('- procedure: billing.add_tax(integer)', post)).toEqual({
      state: 'failed',
      message: 'procedure billing.add_tax(integer) does not exist',
    });
    expect(outcome('- { procedure: billing.reopen_period(date), exists: false }', post)).toEqual({
      state: 'passed',
      message: 'procedure billing.reopen_period(date) does not exist',
    });
    expect(outcome('- { procedure: billing.recompute, exists: false }', post)).toEqual({
      state: 'failed',
      message: '1 procedure matches billing.recompute, expected none: billing.recompute()',
    });
  });

  it('language', () => {
    expect(outcome('- { procedure: billing.recompute(), language: sql }', post)).toEqual({
      state: 'passed',
      message: 'procedure billing.recompute() as expected',
    });
    expect(outcome('- { procedure: billing.close_period(date), language: sql }', post)).toEqual({
      state: 'failed',
      message: 'procedure billing.close_period(date): language is plpgsql, expected sql',
    });
  });

  it('securityDefiner', () => {
    expect(outcome('- { procedure: billing.close_period(date), securityDefiner: true }', post)).toEqual({
      state: 'passed',
      message: 'procedure billing.close_period(date) as expected',
    });
    expect(outcome('- { procedure: billing.recompute(), securityDefiner: false }', post)).toEqual({
      state: 'failed',
      message: 'procedure billing.recompute(): securityDefiner is true, expected false',
    });
  });

  it('searchPath', () => {
    expect(outcome('- { procedure: billing.close_period(date), searchPath: billing }', post)).toEqual({
      state: 'passed',
      message: 'procedure billing.close_period(date) as expected',
    });
    expect(outcome('- { procedure: billing.recompute(), searchPath: [billing] }', post)).toEqual({
      state: 'failed',
      message: 'procedure billing.recompute(): searchPath is not set, expected [billing]',
    });
  });

  it('owner', () => {
    expect(outcome(`- { procedure: billing.recompute(), owner: ${OWNER} }`, post)).toEqual({
      state: 'passed',
      message: 'procedure billing.recompute() as expected',
    });
    expect(outcome(`- { procedure: billing.close_period(date), owner: ${OWNER} }`, post)).toEqual({
      state: 'failed',
      message: `procedure billing.close_period(date): owner is postgres, expected ${OWNER}`,
    });
  });

  it('unchanged', () => {
    expect(outcome('- { procedure: billing.close_period(date), unchanged: true }', post, pre)).toEqual({
      state: 'passed',
      message: 'procedure billing.close_period(date) as expected',
    });
    expect(outcome('- { procedure: billing.recompute(), unchanged: true }', post, pre)).toEqual({
      state: 'failed',
      message: 'procedure billing.recompute(): changed since the pre state: securityDefiner: false -> true',
    });
  });
});
