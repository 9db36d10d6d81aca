-- Columns of tables, views and materialized views: one row per relation, its live columns as a
-- JSON array of [name, attnum, type, nullable, default, identity, generated] arrays. Decoding
-- 50,000 rows of nine fields costs the client more than the server spends on the whole query;
-- one JSON value per relation is parsed natively, and the columns of a relation come from one
-- probe of pg_attribute's index, with no sort or aggregate over all of them. A generated
-- column's expression is not also its default. The position among live columns (a dropped
-- column leaves no gap) is numbered from attnum in TypeScript.
SELECT n.nspname::text AS nspname,
       c.relname::text AS relname,
       cols.columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (
  SELECT json_agg(json_build_array(
           a.attname,
           a.attnum,
           format_type(a.atttypid, a.atttypmod),
           NOT a.attnotnull,
           -- A default cannot name a column: printed without its table (relid 0), as pg_get_expr()
           -- would open the table it is given, building its relation cache entry on this session.
           CASE WHEN a.attgenerated = ''
                THEN pg_get_expr(ad.adbin, CASE WHEN ad.adbin::text LIKE '%{VAR :%' THEN ad.adrelid ELSE 0 END)
           END,
           CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
           CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END)) AS columns
  FROM pg_attribute a
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  WHERE a.attrelid = c.oid
    AND a.attnum > 0
    AND NOT a.attisdropped
) cols
WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm')
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
