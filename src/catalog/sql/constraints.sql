-- Table constraints: primary, unique, check, foreign and exclusion (PostgreSQL 17 keeps NOT NULL
-- in pg_attribute, not here). Left out: the copies PostgreSQL adds on the referencing table for
-- each partition of a referenced partitioned table (same table as their parent constraint).
-- No ORDER BY: introspect() sorts every map by key, and a sort here spills these rows to disk
-- on a big schema.
SELECT n.nspname::text AS nspname,
       c.relname::text AS relname,
       con.conname::text AS conname,
       con.contype::text AS contype,
       -- A scalar lookup per key column (an index probe) costs half a join plus a sort.
       ARRAY(SELECT (SELECT a.attname::text FROM pg_attribute a
                     WHERE a.attrelid = con.conrelid AND a.attnum = k.attnum)
             FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
             ORDER BY k.ord) AS columns,
       pg_get_constraintdef(con.oid) AS definition,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       con.convalidated AS validated,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       fn.nspname::text AS ref_nspname,
       fc.relname::text AS ref_relname,
       ARRAY(SELECT (SELECT a.attname::text FROM pg_attribute a
                     WHERE a.attrelid = con.confrelid AND a.attnum = k.attnum)
             FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
             ORDER BY k.ord) AS ref_columns,
       con.confdeltype::text AS on_delete,
       con.confupdtype::text AS on_update,
       con.confmatchtype::text AS match_type
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x')
  AND c.relkind IN ('r', 'p', 'f')
  AND NOT (con.contype = 'f' AND con.conparentid <> 0
           AND EXISTS (SELECT 1 FROM pg_constraint pcon
                       WHERE pcon.oid = con.conparentid AND pcon.conrelid = con.conrelid))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_temp_'
  AND n.nspname !~ '^pg_toast_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.deptype = 'e'
                    AND ((d.classid = 'pg_class'::regclass AND d.objid = c.oid)
                      OR (d.classid = 'pg_namespace'::regclass AND d.objid = n.oid)))
  -- Scope (see scope.ts): $1 the relations to read, found by scope.sql; NULL: all.
  AND ($1::oid[] IS NULL OR c.oid = ANY ($1::oid[]));
