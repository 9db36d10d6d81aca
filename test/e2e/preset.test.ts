import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetSql } from '../../src/presets/index.ts';
import { withClient } from '../../src/targets/client.ts';
import { startEmbedded, type EmbeddedCluster } from '../../src/targets/embedded.ts';
import { runScript, splitScript } from '../../src/targets/sql-script.ts';
import { lastLine, runCli, tempFiles } from '../support/cli.ts';

// `--preset supabase` (product.md §6). The preset creates roles, which are cluster-wide: this
// file uses a server of its own, so they never show up in other files' snapshots, and loads the
// preset into two databases of it; the second load finds the roles already there.

let cluster: EmbeddedCluster;
let first: string;
let second: string;
/** pg_roles.oid of authenticator after each of the three loads. */
const authenticatorOids: number[] = [];

const load = (url: string) => withClient(url, (c) => runScript(c, splitScript(presetSql('supabase')), 'preset supabase'));

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql, params)).rows);
}

async function createDatabase(name: string): Promise<string> {
  await withClient(cluster.url(), (c) => c.query(`CREATE DATABASE ${name}`));
  return cluster.url(name);
}

const authenticatorOid = async (url: string) =>
  (await query<{ oid: number }>(url, `SELECT oid FROM pg_roles WHERE rolname = 'authenticator'`))[0]!.oid;

beforeAll(async () => {
  cluster = await startEmbedded();
  first = await createDatabase('preset_one');
  second = await createDatabase('preset_two');
  // Into one database, then into a second one where the roles already exist, then over itself.
  for (const url of [first, second, second]) {
    await load(url);
    authenticatorOids.push(await authenticatorOid(url));
  }
});

afterAll(async () => {
  await cluster?.stop();
});

describe('loading the preset', () => {
  it('loads into a database, then into a second one where the roles already exist, then again over itself', () => {
    // beforeAll did the three loads without an error; the later ones reused the roles the first created.
    expect(authenticatorOids).toHaveLength(3);
    expect(new Set(authenticatorOids).size).toBe(1);
  });
});

describe('what the preset creates', () => {
  it('creates the API roles as Supabase has them', async () => {
    const rows = await query<{ rolname: string; rolcanlogin: boolean; rolinherit: boolean; rolbypassrls: boolean; rolsuper: boolean }>(
      first,
      `SELECT rolname, rolcanlogin, rolinherit, rolbypassrls, rolsuper FROM pg_roles
       WHERE rolname IN ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin') ORDER BY rolname`,
    );
    expect(rows).toEqual([
      { rolname: 'anon', rolcanlogin: false, rolinherit: false, rolbypassrls: false, rolsuper: false },
      { rolname: 'authenticated', rolcanlogin: false, rolinherit: false, rolbypassrls: false, rolsuper: false },
      { rolname: 'authenticator', rolcanlogin: true, rolinherit: false, rolbypassrls: false, rolsuper: false },
      { rolname: 'service_role', rolcanlogin: false, rolinherit: false, rolbypassrls: true, rolsuper: false },
      { rolname: 'supabase_admin', rolcanlogin: false, rolinherit: true, rolbypassrls: true, rolsuper: false },
    ]);
    const members = await query<{ role: string }>(
      first,
      `SELECT g.rolname AS role FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
       WHERE r.rolname = 'authenticator' ORDER BY 1`,
    );
    expect(members.map((m) => m.role)).toEqual(['anon', 'authenticated', 'service_role']);
  });

  it('creates auth.users with the columns of current Supabase Auth', async () => {
    const columns = await query<{ column_name: string; data_type: string; is_nullable: string; is_generated: string; column_default: string | null }>(
      first,
      `SELECT column_name, data_type, is_nullable, is_generated, column_default FROM information_schema.columns
       WHERE table_schema = 'auth' AND table_name = 'users' ORDER BY ordinal_position`,
    );
    const byName = Object.fromEntries(columns.map((c) => [c.column_name, c]));
    expect(columns.map((c) => c.column_name)).toEqual([
      'instance_id', 'id', 'aud', 'role', 'email', 'encrypted_password', 'email_confirmed_at', 'invited_at',
      'confirmation_token', 'confirmation_sent_at', 'recovery_token', 'recovery_sent_at', 'email_change_token_new',
      'email_change', 'email_change_sent_at', 'last_sign_in_at', 'raw_app_meta_data', 'raw_user_meta_data',
      'is_super_admin', 'created_at', 'updated_at', 'phone', 'phone_confirmed_at', 'phone_change', 'phone_change_token',
      'phone_change_sent_at', 'confirmed_at', 'email_change_token_current', 'email_change_confirm_status', 'banned_until',
      'reauthentication_token', 'reauthentication_sent_at', 'is_sso_user', 'deleted_at', 'is_anonymous',
    ]);
    expect(byName.id).toMatchObject({ data_type: 'uuid', is_nullable: 'NO' });
    expect(byName.email).toMatchObject({ data_type: 'character varying' });
    expect(byName.raw_user_meta_data).toMatchObject({ data_type: 'jsonb' });
    expect(byName.confirmed_at).toMatchObject({ data_type: 'timestamp with time zone', is_generated: 'ALWAYS' });
    expect(byName.is_anonymous).toMatchObject({ data_type: 'boolean', is_nullable: 'NO', column_default: 'false' });
    const [pk] = await query<{ def: string }>(first, `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'auth.users'::regclass AND contype = 'p'`);
    expect(pk!.def).toBe('PRIMARY KEY (id)');
  });

  it('auth.uid(), role(), email() and jwt() read the request claims, in both of the forms the API server sets', async () => {
    const sub = '2f9c4c1e-8a1b-4c55-9d0e-3b7a6f1e2d11';
    const claims = JSON.stringify({ sub, role: 'authenticated', email: 'aiko@example.com' });
    const viaClaims = await withClient(first, async (c) => {
      await c.query('BEGIN');
      await c.query(`SELECT set_config('request.jwt.claims', $1, true)`, [claims]);
      const { rows } = await c.query(`SELECT auth.uid() AS uid, auth.role() AS role, auth.email() AS email, auth.jwt() ->> 'sub' AS jwt_sub`);
      await c.query('ROLLBACK');
      return rows[0] as unknown;
    });
    expect(viaClaims).toEqual({ uid: sub, role: 'authenticated', email: 'aiko@example.com', jwt_sub: sub });

    const viaClaim = await withClient(first, async (c) => {
      await c.query(`SELECT set_config('request.jwt.claim.sub', $1, false), set_config('request.jwt.claim.role', 'anon', false)`, [sub]);
      return (await c.query(`SELECT auth.uid() AS uid, auth.role() AS role`)).rows[0] as unknown;
    });
    expect(viaClaim).toEqual({ uid: sub, role: 'anon' });

    // No claims at all: NULL, not an error (an empty setting reads as no claim).
    const [none] = await query(first, `SELECT auth.uid() AS uid, auth.jwt() AS jwt`);
    expect(none).toEqual({ uid: null, jwt: null });
  });

  it('creates storage.buckets and storage.objects with RLS on, and the path helpers', async () => {
    const [paths] = await query(
      first,
      `SELECT storage.foldername('a/b/c.png') AS folders, storage.filename('a/b/c.png') AS file, storage.extension('a/b/c.png') AS ext`,
    );
    expect(paths).toEqual({ folders: ['a', 'b'], file: 'c.png', ext: 'png' });

    const rls = await query<{ relname: string; relrowsecurity: boolean }>(
      first,
      `SELECT relname, relrowsecurity FROM pg_class WHERE relnamespace = 'storage'::regnamespace AND relkind = 'r' ORDER BY 1`,
    );
    expect(rls).toEqual([
      { relname: 'buckets', relrowsecurity: true },
      { relname: 'objects', relrowsecurity: true },
    ]);

    const stored = await withClient(first, async (c) => {
      await c.query('BEGIN');
      await c.query(`INSERT INTO storage.buckets (id, name, file_size_limit, allowed_mime_types) VALUES ('docs', 'docs', 1024, '{application/pdf}')`);
      const { rows } = await c.query(
        `INSERT INTO storage.objects (bucket_id, name) VALUES ('docs', 'u1/2025/report.pdf')
         RETURNING path_tokens, id IS NOT NULL AS has_id, (SELECT public FROM storage.buckets WHERE id = 'docs') AS public`,
      );
      await c.query('ROLLBACK');
      return rows[0] as unknown;
    });
    expect(stored).toEqual({ path_tokens: ['u1', '2025', 'report.pdf'], has_id: true, public: false });

    const columns = await query<{ column_name: string }>(
      first,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'storage' AND table_name = 'buckets' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual([
      'id', 'name', 'owner', 'owner_id', 'public', 'avif_autodetection', 'file_size_limit', 'allowed_mime_types', 'created_at', 'updated_at',
    ]);
  });

  it('puts uuid-ossp and pgcrypto in the extensions schema, on the database search path', async () => {
    // A new session: the search path comes from the database setting.
    const [row] = await query<{ search_path: string; uuid: string; salt: string }>(
      second,
      `SELECT current_setting('search_path') AS search_path, uuid_generate_v4()::text AS uuid, gen_salt('bf') AS salt`,
    );
    expect(row!.search_path).toBe('"$user", public, extensions');
    expect(row!.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const extensions = await query(second, `SELECT extname, extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`);
    expect(extensions).toEqual([
      { extname: 'pgcrypto', schema: 'extensions' },
      { extname: 'uuid-ossp', schema: 'extensions' },
    ]);
  });

  it('creates supabase_migrations.schema_migrations and grants the API roles what Supabase grants', async () => {
    const columns = await query(
      second,
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'supabase_migrations' AND table_name = 'schema_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'version', data_type: 'text' },
      { column_name: 'statements', data_type: 'ARRAY' },
      { column_name: 'name', data_type: 'text' },
    ]);
    const [grants] = await query(
      second,
      `SELECT has_schema_privilege('anon', 'auth', 'USAGE') AS anon_auth,
              has_schema_privilege('authenticated', 'storage', 'USAGE') AS authenticated_storage,
              has_schema_privilege('service_role', 'extensions', 'USAGE') AS service_extensions,
              has_table_privilege('authenticated', 'storage.objects', 'SELECT') AS authenticated_objects,
              has_table_privilege('anon', 'auth.users', 'SELECT') AS anon_users`,
    );
    expect(grants).toEqual({ anon_auth: true, authenticated_storage: true, service_extensions: true, authenticated_objects: true, anon_users: false });
  });
});

describe('pgspec gate --preset supabase', () => {
  it('applies a supabase/migrations folder that relies on the platform, search path included, and RLS works as a user', async () => {
    const dir = tempFiles({
      'spec.yaml': [
        'name: notes',
        'post:',
        '  - table: public.notes',
        '    rls: enabled',
        '    columns:',
        '      id: { type: uuid, default: extensions.uuid_generate_v4() }',
        '  - policy: Users read own notes',
        '    table: public.notes',
        '    using: (select auth.uid()) = user_id',
        '  - query: select count(*) from public.notes',
        '    as: { role: authenticated, claims: { sub: a0000000-0000-4000-8000-000000000001 } }',
        '    equals: 1',
        '  - role: authenticator',
        '    login: true',
        '    memberOf: [anon, authenticated, service_role]',
        'always:',
        '  - extension: uuid-ossp',
        '    schema: extensions',
        '',
      ].join('\n'),
      'seed.sql': `INSERT INTO auth.users (id, email) VALUES ('a0000000-0000-4000-8000-000000000001', 'a@example.com'), ('b0000000-0000-4000-8000-000000000002', 'b@example.com');\n`,
    });
    mkdirSync(join(dir, 'migrations'));
    // Unqualified uuid_generate_v4() and gen_random_bytes(): only found through the search path.
    writeFileSync(
      join(dir, 'migrations', '20250101000000_notes.sql'),
      `CREATE TABLE public.notes (
         id uuid DEFAULT uuid_generate_v4() PRIMARY KEY,
         user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
         body text NOT NULL,
         token text DEFAULT encode(gen_random_bytes(8), 'hex')
       );
       ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
       CREATE POLICY "Users read own notes" ON public.notes FOR SELECT TO authenticated USING ((SELECT auth.uid()) = user_id);
       INSERT INTO public.notes (user_id, body) SELECT id, 'hello ' || email FROM auth.users;
       INSERT INTO storage.buckets (id, name) VALUES ('notes', 'notes');\n`,
    );
    const run = await runCli([
      'gate', join(dir, 'spec.yaml'), '--preset', 'supabase', '--seed', join(dir, 'seed.sql'),
      '--migrations', join(dir, 'migrations'), '--db', cluster.url('postgres'),
    ]);
    expect(run.stdout).not.toContain('✗');
    expect(lastLine(run.stdout)).toBe('6 passed, 0 failed');
    expect(run.code).toBe(0);
  });
});
