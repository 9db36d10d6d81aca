-- pgspec preset "supabase": what Supabase migrations expect of the platform, so that a
-- supabase/migrations folder (or a `supabase db dump` of the public schemas) applies to plain
-- PostgreSQL. Written for pgspec from Supabase's public documentation of these schemas
-- (Auth, Storage, the API roles, the migration history); it is not Supabase's own source.
--
-- It runs as the ephemeral database's superuser, once per gate, into the template database.
-- Everything is idempotent: roles are cluster-wide, so they are created only when missing
-- (another database of the same cluster may have made them already), and every other object
-- uses IF NOT EXISTS / OR REPLACE, so the preset also loads over a database that has them.

-- ---------------------------------------------------------------------------------------
-- Roles (https://supabase.com/docs/guides/database/postgres/roles)
--   anon           requests without a user JWT          NOLOGIN
--   authenticated  requests with a user JWT             NOLOGIN
--   service_role   the service key: bypasses RLS        NOLOGIN BYPASSRLS
--   authenticator  the API server's login role, which switches to one of the three
--   supabase_admin the platform's administrative role (no login, not a superuser here)
-- A role created concurrently by another session is not an error.
-- ---------------------------------------------------------------------------------------
DO $preset$
DECLARE
  spec text[];
BEGIN
  FOREACH spec SLICE 1 IN ARRAY ARRAY[
    ARRAY['anon',           'NOLOGIN NOINHERIT'],
    ARRAY['authenticated',  'NOLOGIN NOINHERIT'],
    ARRAY['service_role',   'NOLOGIN NOINHERIT BYPASSRLS'],
    ARRAY['authenticator',  'LOGIN NOINHERIT'],
    ARRAY['supabase_admin', 'NOLOGIN CREATEROLE CREATEDB REPLICATION BYPASSRLS'],
    -- Supabase dumps say OWNER TO postgres / GRANT ... TO postgres: a server whose superuser
    -- has another name still needs the role to exist.
    ARRAY['postgres',       'NOLOGIN']
  ] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = spec[1]) THEN
      BEGIN
        EXECUTE pg_catalog.format('CREATE ROLE %I %s', spec[1], spec[2]);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created meanwhile by a concurrent preset load
      END;
    END IF;
  END LOOP;
END
$preset$;

-- authenticator logs in and SET ROLEs to the API roles (granting again is only a notice).
GRANT anon, authenticated, service_role TO authenticator;

-- ---------------------------------------------------------------------------------------
-- Extensions live in their own schema, which is on the database's search path.
-- ---------------------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;

DO $preset$
BEGIN
  EXECUTE pg_catalog.format('ALTER DATABASE %I SET search_path = "$user", public, extensions', pg_catalog.current_database());
END
$preset$;
-- The rest of this session too.
SET search_path = "$user", public, extensions;

GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;

-- What migrations create in public is reachable by the API roles; RLS decides which rows
-- (Supabase's default privileges for objects the postgres role creates).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- auth: the users table of Supabase Auth and the JWT helpers RLS policies call.
-- ---------------------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS auth;

CREATE TABLE IF NOT EXISTS auth.users (
  instance_id uuid,
  id uuid NOT NULL,
  aud character varying(255),
  role character varying(255),
  email character varying(255),
  encrypted_password character varying(255),
  email_confirmed_at timestamp with time zone,
  invited_at timestamp with time zone,
  confirmation_token character varying(255),
  confirmation_sent_at timestamp with time zone,
  recovery_token character varying(255),
  recovery_sent_at timestamp with time zone,
  email_change_token_new character varying(255),
  email_change character varying(255),
  email_change_sent_at timestamp with time zone,
  last_sign_in_at timestamp with time zone,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  phone text DEFAULT NULL,
  phone_confirmed_at timestamp with time zone,
  phone_change text DEFAULT '',
  phone_change_token character varying(255) DEFAULT '',
  phone_change_sent_at timestamp with time zone,
  confirmed_at timestamp with time zone GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,
  email_change_token_current character varying(255) DEFAULT '',
  email_change_confirm_status smallint DEFAULT 0,
  banned_until timestamp with time zone,
  reauthentication_token character varying(255) DEFAULT '',
  reauthentication_sent_at timestamp with time zone,
  is_sso_user boolean NOT NULL DEFAULT false,
  deleted_at timestamp with time zone,
  is_anonymous boolean NOT NULL DEFAULT false,
  CONSTRAINT users_pkey PRIMARY KEY (id),
  CONSTRAINT users_phone_key UNIQUE (phone),
  CONSTRAINT users_email_change_confirm_status_check CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2)
);
COMMENT ON TABLE auth.users IS 'Auth: Stores user login data within a secure schema.';
COMMENT ON COLUMN auth.users.is_sso_user IS 'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';

-- An email is unique among the accounts that do not come from SSO.
CREATE UNIQUE INDEX IF NOT EXISTS users_email_partial_key ON auth.users (email) WHERE (is_sso_user = false);
CREATE INDEX IF NOT EXISTS users_instance_id_idx ON auth.users (instance_id);
CREATE INDEX IF NOT EXISTS users_instance_id_email_idx ON auth.users (instance_id, lower((email)::text));
CREATE INDEX IF NOT EXISTS users_is_anonymous_idx ON auth.users (is_anonymous);

-- The claims of the request's JWT, as the API server sets them: `request.jwt.claims` (the whole
-- claim set as JSON) or, from older servers, one `request.jwt.claim.<name>` setting per claim.
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
COMMENT ON FUNCTION auth.uid() IS 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

CREATE OR REPLACE FUNCTION auth.role() RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
COMMENT ON FUNCTION auth.role() IS 'Deprecated. Use auth.jwt() -> ''role'' instead.';

CREATE OR REPLACE FUNCTION auth.email() RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
COMMENT ON FUNCTION auth.email() IS 'Deprecated. Use auth.jwt() -> ''email'' instead.';

CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt() TO anon, authenticated, service_role;
GRANT ALL ON TABLE auth.users TO service_role;

-- ---------------------------------------------------------------------------------------
-- storage: buckets and objects of Supabase Storage, and the path helpers policies use.
-- ---------------------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS storage;

CREATE TABLE IF NOT EXISTS storage.buckets (
  id text NOT NULL,
  name text NOT NULL,
  owner uuid, -- deprecated in favour of owner_id
  owner_id text,
  public boolean DEFAULT false,
  avif_autodetection boolean DEFAULT false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamp with time zone DEFAULT now(),
  updated_at timestamp with time zone DEFAULT now(),
  CONSTRAINT buckets_pkey PRIMARY KEY (id)
);
COMMENT ON COLUMN storage.buckets.owner IS 'Field is deprecated, use owner_id instead';
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name);

CREATE TABLE IF NOT EXISTS storage.objects (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  bucket_id text,
  name text,
  owner uuid, -- deprecated in favour of owner_id
  owner_id text,
  created_at timestamp with time zone DEFAULT now(),
  updated_at timestamp with time zone DEFAULT now(),
  last_accessed_at timestamp with time zone DEFAULT now(),
  metadata jsonb,
  path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
  version text,
  user_metadata jsonb,
  CONSTRAINT objects_pkey PRIMARY KEY (id),
  CONSTRAINT "objects_bucketId_fkey" FOREIGN KEY (bucket_id) REFERENCES storage.buckets (id)
);
COMMENT ON COLUMN storage.objects.owner IS 'Field is deprecated, use owner_id instead';
CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects (bucket_id, name);
CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects (name text_pattern_ops);

ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;

-- storage.foldername('a/b/c.png') = {a,b}
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
  _parts text[];
BEGIN
  SELECT string_to_array(name, '/') INTO _parts;
  RETURN _parts[1:array_length(_parts, 1) - 1];
END
$$;

-- storage.filename('a/b/c.png') = 'c.png'
CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
  _parts text[];
BEGIN
  SELECT string_to_array(name, '/') INTO _parts;
  RETURN _parts[array_length(_parts, 1)];
END
$$;

-- storage.extension('a/b/c.png') = 'png'
CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
  _parts text[];
  _filename text;
BEGIN
  SELECT string_to_array(name, '/') INTO _parts;
  SELECT _parts[array_length(_parts, 1)] INTO _filename;
  RETURN reverse(split_part(reverse(_filename), '.', 1));
END
$$;

GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
GRANT ALL ON TABLE storage.buckets, storage.objects TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION storage.foldername(text), storage.filename(text), storage.extension(text) TO anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- supabase_migrations: the history the Supabase CLI keeps of applied migration files.
-- ---------------------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (
  version text NOT NULL,
  statements text[],
  name text,
  CONSTRAINT schema_migrations_pkey PRIMARY KEY (version)
);
