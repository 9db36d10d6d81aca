-- Enum types with their labels in sort order (ADD VALUE BEFORE/AFTER respected).
SELECT n.nspname::text AS nspname,
       t.typname::text AS typname,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_temp_'
  AND n.nspname !~ '^pg_toast_temp_'
  -- Not owned by an extension. refclassid (always the extension for deptype 'e') lets this read
  -- the extensions' members through an index instead of scanning pg_depend.
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                    AND ((d.classid = 'pg_type'::regclass AND d.objid = t.oid)
                      OR (d.classid = 'pg_namespace'::regclass AND d.objid = n.oid)))
  -- Scope (see scope.ts): $1 whole schemas, $2/$3 schema and name pairs, ASCII lower-cased; NULL: all.
  AND ($1::text[] IS NULL
       OR lower(n.nspname::text COLLATE "C") = ANY ($1::text[])
       OR (lower(n.nspname::text COLLATE "C"), lower(t.typname::text COLLATE "C")) IN (SELECT * FROM unnest($2::text[], $3::text[])))
ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C";
