-- Table constraints: primary, unique, check, foreign and exclusion (PostgreSQL 17 keeps NOT NULL
-- in pg_attribute, not here). Left out: the copies PostgreSQL adds on the referencing table for
-- each partition of a referenced partitioned table (same table as their parent constraint).
-- The definition of a common constraint (a primary or unique key without INCLUDE or NULLS NOT
-- DISTINCT, a foreign key without ON DELETE SET NULL/DEFAULT (columns), a check) is put together
-- here as pg_get_constraintdef() prints it, from the key names and check expression read anyway;
-- exclusion constraints and anything unusual are printed by pg_get_constraintdef(). The catalog
-- tests compare the two on every constraint they make.
-- A check expression that names columns is printed by expressions.sql, on another session (see
-- there); its definition is then `CHECK (` and that text and `definition_tail`. One that names none
-- is printed here, without its table (relid 0), which opens nothing.
-- No ORDER BY: introspect() sorts every map by key, and a sort here spills these rows to disk
-- on a big schema. Lines marked pgNN+ are left out before that version.
SELECT n.nspname::text AS nspname,
       c.relname::text AS relname,
       con.conname::text AS conname,
       con.contype::text AS contype,
       con.oid::text AS oid,
       keys.names AS columns,
       CASE WHEN NOT chk.elsewhere THEN coalesce(
         CASE WHEN CASE con.contype
                     WHEN 'p' THEN i.indnatts = cardinality(con.conkey)
                     WHEN 'u' THEN i.indnatts = cardinality(con.conkey)
                                   AND NOT i.indnullsnotdistinct -- pg15+
                     WHEN 'f' THEN fn.nspname <> 'pg_catalog' -- whose tables print unqualified
                                   AND con.confdelsetcols IS NULL -- pg15+
                     WHEN 'c' THEN chk.expr IS NOT NULL
                     ELSE false
                   END
                   AND NOT con.conperiod -- pg18+
                   AND con.conenforced -- pg18+
              THEN CASE con.contype
                     WHEN 'p' THEN 'PRIMARY KEY (' || keys.list || ')'
                     WHEN 'u' THEN 'UNIQUE (' || keys.list || ')'
                     WHEN 'f' THEN 'FOREIGN KEY (' || keys.list || ') REFERENCES '
                                   || quote_ident(fn.nspname) || '.' || quote_ident(fc.relname) || '(' || refs.list || ')'
                                   || CASE con.confmatchtype WHEN 'f' THEN ' MATCH FULL' WHEN 'p' THEN ' MATCH PARTIAL' ELSE '' END
                                   || CASE con.confupdtype WHEN 'r' THEN ' ON UPDATE RESTRICT' WHEN 'c' THEN ' ON UPDATE CASCADE'
                                        WHEN 'n' THEN ' ON UPDATE SET NULL' WHEN 'd' THEN ' ON UPDATE SET DEFAULT' ELSE '' END
                                   || CASE con.confdeltype WHEN 'r' THEN ' ON DELETE RESTRICT' WHEN 'c' THEN ' ON DELETE CASCADE'
                                        WHEN 'n' THEN ' ON DELETE SET NULL' WHEN 'd' THEN ' ON DELETE SET DEFAULT' ELSE '' END
                     ELSE 'CHECK (' || chk.expr || ')' || CASE WHEN con.connoinherit THEN ' NO INHERIT' ELSE '' END
                   END
                   || CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END
                   || CASE WHEN con.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END
                   || CASE WHEN NOT con.convalidated THEN ' NOT VALID' ELSE '' END
         END,
         pg_get_constraintdef(con.oid)) END AS definition,
       chk.expr AS check_expr,
       CASE WHEN chk.elsewhere
            THEN ')' || CASE WHEN con.connoinherit THEN ' NO INHERIT' ELSE '' END
                 || CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END
                 || CASE WHEN con.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END
                 || CASE WHEN NOT con.convalidated THEN ' NOT VALID' ELSE '' END
       END AS definition_tail,
       con.convalidated AS validated,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       fn.nspname::text AS ref_nspname,
       fc.relname::text AS ref_relname,
       refs.names AS ref_columns,
       con.confdeltype::text AS on_delete,
       con.confupdtype::text AS on_update,
       con.confmatchtype::text AS match_type
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = con.conindid
CROSS JOIN LATERAL (
  SELECT CASE WHEN con.contype = 'c' AND con.conbin::text NOT LIKE '%{VAR :%'
              THEN pg_get_expr(con.conbin, 0)
         END AS expr,
         -- Printed by expressions.sql; the definition is finished in TypeScript.
         con.contype = 'c' AND con.conbin::text LIKE '%{VAR :%'
         AND con.conenforced -- pg18+
         AS elsewhere
  OFFSET 0
) chk
-- Key column names: one index probe for a single column (most keys); an ordered aggregate would
-- sort per row. OFFSET 0 keeps each list computed once (a subquery pulled up is computed per use).
CROSS JOIN LATERAL (
  SELECT names,
         CASE WHEN cardinality(names) = 1 THEN quote_ident(names[1])
              ELSE array_to_string(ARRAY(SELECT quote_ident(k) FROM unnest(names) AS k), ', ')
         END AS list
  FROM (SELECT CASE WHEN cardinality(con.conkey) = 1
                    THEN ARRAY[(SELECT a.attname::text FROM pg_attribute a
                                WHERE a.attrelid = con.conrelid AND a.attnum = con.conkey[1])]
                    ELSE ARRAY(SELECT (SELECT a.attname::text FROM pg_attribute a
                                       WHERE a.attrelid = con.conrelid AND a.attnum = k.attnum)
                               FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                               ORDER BY k.ord)
               END AS names
        OFFSET 0) k
) keys
-- The same for a foreign key's referenced columns. Sharing it would take a SQL function, and
-- pgspec creates nothing on the databases it reads; one lateral over both sides needs an
-- aggregate, which measured slower.
CROSS JOIN LATERAL (
  SELECT names,
         CASE WHEN cardinality(names) = 1 THEN quote_ident(names[1])
              ELSE array_to_string(ARRAY(SELECT quote_ident(k) FROM unnest(names) AS k), ', ')
         END AS list
  FROM (SELECT CASE WHEN cardinality(con.confkey) = 1
                    THEN ARRAY[(SELECT a.attname::text FROM pg_attribute a
                                WHERE a.attrelid = con.confrelid AND a.attnum = con.confkey[1])]
                    ELSE ARRAY(SELECT (SELECT a.attname::text FROM pg_attribute a
                                       WHERE a.attrelid = con.confrelid AND a.attnum = k.attnum)
                               FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                               ORDER BY k.ord)
               END AS names
        OFFSET 0) k
) refs
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x')
  AND c.relkind IN ('r', 'p', 'f')
  AND NOT (con.contype = 'f' AND con.conparentid <> 0
           AND EXISTS (SELECT 1 FROM pg_constraint pcon
                       WHERE pcon.oid = con.conparentid AND pcon.conrelid = con.conrelid))
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
