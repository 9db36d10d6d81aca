-- Views (v) and materialized views (m) with their definition as pg_get_viewdef prints it.
SELECT n.nspname::text AS nspname,
       c.relname::text AS relname,
       c.relkind::text AS relkind,
       pg_get_userbyid(c.relowner)::text AS owner,
       pg_get_viewdef(c.oid, true) AS definition
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_temp_'
  AND n.nspname !~ '^pg_toast_temp_'
  -- Not owned by an extension. refclassid (always the extension for deptype 'e') lets this read
  -- the extensions' members through an index instead of scanning pg_depend.
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                    AND ((d.classid = 'pg_class'::regclass AND d.objid = c.oid)
                      OR (d.classid = 'pg_namespace'::regclass AND d.objid = n.oid)))
  -- Scope (see scope.ts): $1 the relations to read, found by scope.sql; NULL: all.
  AND ($1::oid[] IS NULL OR c.oid = ANY ($1::oid[]))
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C";
