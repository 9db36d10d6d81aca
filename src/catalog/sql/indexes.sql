-- Indexes of tables and materialized views. Key columns are attribute names, or the
-- expression text for an expression key; INCLUDE columns are listed apart.
-- pg_get_indexdef() finds each key column's default operator class by scanning pg_opclass,
-- about 0.1 ms an index: most of the time of a big schema's snapshot. A plain index (simple key
-- columns, each with its type's default operator class, its own collation and no ordering
-- options; no INCLUDE, storage parameters or NULLS NOT DISTINCT; not on a partitioned table)
-- has the same text put together here; every other index is printed by pg_get_indexdef().
-- The catalog tests compare the two on every index they make.
-- No ORDER BY: introspect() sorts every map by key. Lines marked pg15+ are left out before 15.
SELECT n.nspname::text AS nspname,
       c.relname::text AS relname,
       ic.relname::text AS indexname,
       keys.columns,
       coalesce(keys.include, '{}') AS include,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       am.amname::text AS method,
       pred.text AS predicate,
       i.indisvalid AS valid,
       con.conname::text AS constraint_name,
       CASE WHEN keys.plain
                 AND i.indnatts = i.indnkeyatts
                 AND ic.reloptions IS NULL
                 AND c.relkind <> 'p'
                 AND NOT i.indnullsnotdistinct -- pg15+
            THEN 'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
                 || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                 || ' USING ' || quote_ident(am.amname) || ' (' || keys.names || ')'
                 || coalesce(' WHERE ' || pred.text, '')
            ELSE pg_get_indexdef(i.indexrelid)
       END AS definition
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_constraint con
       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
CROSS JOIN LATERAL (SELECT pg_get_expr(i.indpred, i.indrelid) AS text) pred
-- Whether every key column prints as its bare name in pg_get_indexdef(): the operator class in use
-- is the one GetDefaultOpClass() picks for its type: the default one for exactly that type (a
-- domain's base type), text's for varchar, anyenum's for an enum. Anything else is left to
-- pg_get_indexdef().
CROSS JOIN LATERAL (
  SELECT array_agg(k.name ORDER BY k.ord) FILTER (WHERE k.ord <= i.indnkeyatts) AS columns,
         array_agg(k.name ORDER BY k.ord) FILTER (WHERE k.ord > i.indnkeyatts) AS include,
         coalesce(bool_and(k.plain) FILTER (WHERE k.ord <= i.indnkeyatts), false) AS plain,
         string_agg(quote_ident(k.name), ', ' ORDER BY k.ord) FILTER (WHERE k.ord <= i.indnkeyatts) AS names
  FROM (SELECT k.ord,
               CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) ELSE (k.att).attname::text END AS name,
               k.attnum > 0 AND k.opt = 0
               AND (k.coll = 0 OR k.coll = (k.att).attcollation)
               AND EXISTS (SELECT 1 FROM pg_opclass oc
                           WHERE oc.oid = k.opclass AND oc.opcdefault AND oc.opcmethod = ic.relam
                             AND (oc.opcintype = (k.att).atttypid
                                  OR (oc.opcintype = 'text'::regtype AND (k.att).atttypid = 'varchar'::regtype)
                                  -- a domain means its base type; an enum, anyenum
                                  OR oc.opcintype = (SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype
                                                                 WHEN t.typtype = 'e' THEN 'anyenum'::regtype END
                                                     FROM pg_type t WHERE t.oid = (k.att).atttypid))) AS plain
        -- indclass, indcollation and indoption cover the key columns only: NULL for INCLUDE ones.
        FROM (SELECT k.*, (SELECT a FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum) AS att
              FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
                   WITH ORDINALITY AS k(attnum, opclass, coll, opt, ord)) k) k
) keys
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_temp_'
  AND n.nspname !~ '^pg_toast_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.deptype = 'e'
                    AND ((d.classid = 'pg_class'::regclass AND d.objid = c.oid)
                      OR (d.classid = 'pg_namespace'::regclass AND d.objid = n.oid)))
  -- Scope (see scope.ts): $1 whole schemas, $2/$3 schema and name pairs, ASCII lower-cased; NULL: all.
  AND ($1::text[] IS NULL
       OR lower(n.nspname::text COLLATE "C") = ANY ($1::text[])
       OR (lower(n.nspname::text COLLATE "C"), lower(c.relname::text COLLATE "C")) IN (SELECT * FROM unnest($2::text[], $3::text[])));
