-- Every role with its direct memberships, and whether an object the snapshot keeps refers to it:
-- the owner of a schema, table, view or routine, or a role of a policy (outside system schemas,
-- not owned by an extension). System roles (pg_*) are kept only then (pg_database_owner owns
-- public). Computed here over the whole database, so a scoped capture keeps the same roles.
WITH system_roles AS (
  SELECT r.oid FROM pg_roles r WHERE r.rolname ~ '^pg_'
),
user_namespaces AS (
  SELECT n.oid, n.nspowner
  FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname !~ '^pg_temp_'
    AND n.nspname !~ '^pg_toast_temp_'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
),
referenced AS (
  SELECT n.nspowner AS oid FROM user_namespaces n
  UNION
  SELECT c.relowner
  FROM pg_class c
  JOIN user_namespaces n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm')
    AND c.relowner IN (SELECT oid FROM system_roles)
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  UNION
  SELECT p.proowner
  FROM pg_proc p
  JOIN user_namespaces n ON n.oid = p.pronamespace
  WHERE p.proowner IN (SELECT oid FROM system_roles)
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  UNION
  SELECT r.oid
  FROM pg_policy pol
  JOIN pg_class c ON c.oid = pol.polrelid
  JOIN user_namespaces n ON n.oid = c.relnamespace
  CROSS JOIN unnest(pol.polroles) AS r(oid)
  WHERE c.relkind IN ('r', 'p', 'f')
    AND r.oid IN (SELECT oid FROM system_roles)
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
)
SELECT r.rolname::text AS rolname,
       r.rolcanlogin AS login,
       r.rolsuper AS superuser,
       ARRAY(SELECT DISTINCT g.rolname::text
             FROM pg_auth_members m
             JOIN pg_roles g ON g.oid = m.roleid
             WHERE m.member = r.oid) AS member_of,
       r.rolname !~ '^pg_' OR r.oid IN (SELECT oid FROM referenced) AS kept
FROM pg_roles r
ORDER BY r.rolname COLLATE "C";
