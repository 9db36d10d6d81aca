-- The relations a scoped capture reads, per catalog kind (see scope.ts). $1/$2/$3: kind, schema
-- and name of each named relation; $4/$5: kind and schema of each schema read whole; all names
-- ASCII lower-cased, and compared so on the catalog side, which keeps the relations whose names
-- differ only in case (the evaluator suggests them). One scan of pg_class: the queries of each
-- kind then read their rows by relation, through the catalogs' indexes.
WITH named AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS w(kind, nspname, relname)
),
whole AS (
  SELECT * FROM unnest($4::text[], $5::text[]) AS w(kind, nspname)
),
relations AS (
  SELECT c.oid, lower(n.nspname::text COLLATE "C") AS nspname, lower(c.relname::text COLLATE "C") AS relname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
)
SELECT w.kind, array_agg(r.oid) AS oids
FROM relations r
JOIN named w ON w.nspname = r.nspname AND w.relname = r.relname
GROUP BY w.kind
UNION ALL
SELECT w.kind, array_agg(r.oid)
FROM relations r
JOIN whole w ON w.nspname = r.nspname
GROUP BY w.kind;
