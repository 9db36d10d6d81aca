-- Columns of tables, views and materialized views; a generated column's expression is not also
-- its default. The position among live columns (a dropped column leaves no gap) is numbered from
-- attnum in TypeScript: a row_number() window here costs a second sort of every column.
-- No ORDER BY: introspect() sorts every map by key, and a sort here spills these rows to disk
-- on a big schema.
SELECT n.nspname::text AS nspname,
       c.relname::text AS relname,
       a.attname::text AS attname,
       a.attnum::int AS attnum,
       format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable,
       -- A default refers to no column: printed without its table, as pg_get_expr() would open the
       -- table (a relation cache entry per table on a new session) to name columns it has none of.
       CASE WHEN a.attgenerated = ''
            THEN pg_get_expr(ad.adbin, CASE WHEN ad.adbin::text LIKE '%{VAR :%' THEN ad.adrelid ELSE 0 END)
       END AS default_expr,
       CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0
  AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
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
