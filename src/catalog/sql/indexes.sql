-- Indexes of tables and materialized views. Key columns are attribute names, or the
-- expression text for an expression key; INCLUDE columns are listed apart.
-- pg_get_indexdef() finds each key column's default operator class by scanning pg_opclass,
-- about 0.1 ms an index: most of the time of a big schema's snapshot. A plain index (simple key
-- columns, each with its type's default operator class, its own collation and no ordering
-- options; no INCLUDE, storage parameters or NULLS NOT DISTINCT; not on a partitioned table)
-- has the same text put together here, but for its predicate: a partial index's is printed by
-- expressions.sql, on another session (see there), and ` WHERE ` and it are appended in
-- TypeScript. Every other index is printed by pg_get_indexdef().
-- The catalog tests compare the two on every index they make.
-- No ORDER BY: introspect() sorts every map by key. Lines marked pg15+ are left out before 15.
WITH default_opclasses AS MATERIALIZED (
  -- (operator class, access method, column type): the class GetDefaultOpClass() picks for the
  -- type, so pg_get_indexdef() prints a column indexed with it by its bare name. The default
  -- class of exactly that type; text's for varchar; anyenum's for an enum; a domain's base type's.
  SELECT oc.oid AS opclass, oc.opcmethod AS method, oc.opcintype AS typid
  FROM pg_opclass oc WHERE oc.opcdefault
  UNION ALL
  SELECT oc.oid, oc.opcmethod, 'pg_catalog.varchar'::regtype::oid
  FROM pg_opclass oc WHERE oc.opcdefault AND oc.opcintype = 'pg_catalog.text'::regtype
  UNION ALL
  SELECT oc.oid, oc.opcmethod, t.oid
  FROM pg_opclass oc JOIN pg_type t ON t.typtype = 'e'
  WHERE oc.opcdefault AND oc.opcintype = 'pg_catalog.anyenum'::regtype
  UNION ALL
  SELECT oc.oid, oc.opcmethod, t.oid
  FROM pg_opclass oc JOIN pg_type t ON t.typtype = 'd' AND t.typbasetype = oc.opcintype
  WHERE oc.opcdefault
)
SELECT n.nspname::text AS nspname,
       c.relname::text AS relname,
       ic.relname::text AS indexname,
       keys.columns,
       keys.include,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       am.amname::text AS method,
       ic.oid::text AS oid,
       i.indpred IS NOT NULL AS partial,
       i.indisvalid AS valid,
       con.conname::text AS constraint_name,
       CASE WHEN def.built
            THEN 'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
                 || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                 || ' USING ' || quote_ident(am.amname) || ' (' || keys.names || ')'
            ELSE pg_get_indexdef(i.indexrelid)
       END AS definition,
       def.built
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_constraint con
       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
-- One column (most indexes): one probe of pg_attribute and no aggregate, whose ORDER BY sorts per
-- index. Several columns or an expression: a row per column, aggregated (HAVING skips this for one).
LEFT JOIN pg_attribute a1 ON i.indnatts = 1 AND a1.attrelid = i.indrelid AND a1.attnum = i.indkey[0]
LEFT JOIN LATERAL (
  -- Whether every key column prints as its bare name in pg_get_indexdef() (default_opclasses).
  SELECT array_agg(k.name ORDER BY k.ord) FILTER (WHERE k.ord <= i.indnkeyatts) AS columns,
         array_agg(k.name ORDER BY k.ord) FILTER (WHERE k.ord > i.indnkeyatts) AS include,
         coalesce(bool_and(k.plain) FILTER (WHERE k.ord <= i.indnkeyatts), false) AS plain,
         string_agg(quote_ident(k.name), ', ' ORDER BY k.ord) FILTER (WHERE k.ord <= i.indnkeyatts) AS names
  FROM (SELECT k.ord,
               CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true)
                    ELSE (SELECT a.attname::text FROM pg_attribute a
                          WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum) END AS name,
               k.attnum > 0 AND k.opt = 0
               AND coalesce((SELECT (k.coll = 0 OR k.coll = a.attcollation)
                                    AND (k.opclass, ic.relam, a.atttypid) IN (SELECT opclass, method, typid FROM default_opclasses)
                             FROM pg_attribute a
                             WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum), false) AS plain
        -- indclass, indcollation and indoption cover the key columns only: NULL for INCLUDE ones.
        FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
             WITH ORDINALITY AS k(attnum, opclass, coll, opt, ord)) k
  HAVING a1.attrelid IS NULL
) multi ON true
CROSS JOIN LATERAL (
  SELECT CASE WHEN a1.attrelid IS NULL THEN multi.columns ELSE ARRAY[a1.attname::text] END AS columns,
         coalesce(multi.include, '{}') AS include,
         CASE WHEN a1.attrelid IS NULL THEN multi.names ELSE quote_ident(a1.attname) END AS names,
         CASE WHEN a1.attrelid IS NULL THEN multi.plain
              ELSE i.indoption[0] = 0
                   AND (i.indcollation[0] = 0 OR i.indcollation[0] = a1.attcollation)
                   AND (i.indclass[0], ic.relam, a1.atttypid) IN (SELECT opclass, method, typid FROM default_opclasses)
         END AS plain
  OFFSET 0 -- computed once, not once per use
) keys
CROSS JOIN LATERAL (
  SELECT keys.plain
         AND i.indnatts = i.indnkeyatts
         AND ic.reloptions IS NULL
         AND c.relkind <> 'p'
         AND NOT i.indnullsnotdistinct -- pg15+
         AS built
  OFFSET 0
) def
WHERE c.relkind IN ('r', 'p', 'm')
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
  AND ($1::oid[] IS NULL OR c.oid = ANY ($1::oid[]));
