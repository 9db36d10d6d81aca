-- Functions, aggregates and procedures (window functions count as functions). arg_types are
-- the input argument types (proargtypes: IN, INOUT, VARIADIC; never OUT), which is the call
-- signature. The body hash covers what defines behaviour without storing source text:
-- prosrc, the parsed body of a BEGIN ATOMIC function, or an aggregate's definition.
SELECT n.nspname::text AS nspname,
       p.proname::text AS proname,
       p.prokind::text AS prokind,
       ARRAY(SELECT format_type(t.typid, NULL)
             FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS t(typid, ord)
             ORDER BY t.ord) AS arg_types,
       CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_get_function_result(p.oid) END AS returns,
       l.lanname::text AS language,
       p.prosecdef AS security_definer,
       p.provolatile::text AS volatility,
       (SELECT substr(cfg, length('search_path=') + 1)
        FROM unnest(p.proconfig) AS cfg
        WHERE starts_with(cfg, 'search_path=')
        LIMIT 1) AS search_path,
       pg_get_userbyid(p.proowner)::text AS owner,
       md5(CASE
             WHEN p.prokind = 'a' THEN
               (SELECT ROW(ag.aggkind, ag.aggnumdirectargs, ag.aggtransfn::regproc, ag.aggfinalfn::regproc,
                           ag.aggcombinefn::regproc, ag.aggserialfn::regproc, ag.aggdeserialfn::regproc,
                           ag.aggmtransfn::regproc, ag.aggminvtransfn::regproc, ag.aggmfinalfn::regproc,
                           ag.aggfinalextra, ag.aggmfinalextra, ag.aggfinalmodify, ag.aggmfinalmodify,
                           ag.aggsortop::regoperator, format_type(ag.aggtranstype, NULL), ag.aggtransspace,
                           format_type(ag.aggmtranstype, NULL), ag.aggmtransspace, ag.agginitval,
                           ag.aggminitval)::text
                FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid)
             WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)
             ELSE p.prosrc
           END) AS body_hash
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_temp_'
  AND n.nspname !~ '^pg_toast_temp_'
  -- Not owned by an extension, nor in a schema an extension owns. refclassid (always the
  -- extension for deptype 'e') lets this read the extensions' members through an index instead
  -- of scanning pg_depend. Two anti-joins, not one with OR: an extension owns thousands of
  -- functions (pgTAP, PostGIS), and an OR of the two made a nested loop over all of them for
  -- every function (60 to 100 ms with pgTAP installed, 4 to 5 ms as two).
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                    AND d.classid = 'pg_proc'::regclass AND d.objid = p.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                    AND d.classid = 'pg_namespace'::regclass AND d.objid = n.oid)
  -- Scope (see scope.ts): $1 whole schemas, $2/$3 schema and name pairs, ASCII lower-cased; NULL: all.
  AND ($1::text[] IS NULL
       OR lower(n.nspname::text COLLATE "C") = ANY ($1::text[])
       OR (lower(n.nspname::text COLLATE "C"), lower(p.proname::text COLLATE "C")) IN (SELECT * FROM unnest($2::text[], $3::text[])))
ORDER BY n.nspname COLLATE "C", p.proname COLLATE "C", oidvectortypes(p.proargtypes) COLLATE "C";
