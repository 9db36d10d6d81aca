-- Sequences with their definition (not their current value) and the column that owns them:
-- 'a' for OWNED BY / serial, 'i' for identity columns.
SELECT n.nspname::text AS nspname,
       c.relname::text AS relname,
       format_type(s.seqtypid, NULL) AS type,
       s.seqstart::text AS start,
       s.seqincrement::text AS increment,
       s.seqmin::text AS min,
       s.seqmax::text AS max,
       s.seqcycle AS cycle,
       own_n.nspname::text AS owner_nspname,
       own_c.relname::text AS owner_relname,
       own_a.attname::text AS owner_attname
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend own
       ON own.classid = 'pg_class'::regclass AND own.objid = c.oid
      AND own.refclassid = 'pg_class'::regclass AND own.refobjsubid > 0
      AND own.deptype IN ('a', 'i')
LEFT JOIN pg_class own_c ON own_c.oid = own.refobjid
LEFT JOIN pg_namespace own_n ON own_n.oid = own_c.relnamespace
LEFT JOIN pg_attribute own_a ON own_a.attrelid = own.refobjid AND own_a.attnum = own.refobjsubid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
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
