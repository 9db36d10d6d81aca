-- The relations a scoped capture reads, per catalog kind (see scope.ts). $1/$2/$3: schema, name
-- and kinds of each named relation, each name given once with the kinds that read it as a bit
-- mask (bit i: the i-th of introspect.ts's RELATION_KINDS); $4/$5: schema and kinds of each
-- schema read whole. All names are ASCII lower-cased and compared so on the catalog side, which
-- keeps the relations whose names differ only in case (the evaluator suggests them). One scan
-- of pg_class, hashed against the names: one row per set of kinds, which the client hands out
-- to each kind in it. The queries of each kind then read their rows by relation, through the
-- catalogs' indexes.
WITH named AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) AS w(nspname, relname, kinds)
),
whole AS (
  SELECT * FROM unnest($4::text[], $5::int[]) AS w(nspname, kinds)
),
relations AS (
  SELECT c.oid, lower(n.nspname::text COLLATE "C") AS nspname, lower(c.relname::text COLLATE "C") AS relname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
)
SELECT w.kinds, array_agg(r.oid) AS oids
FROM relations r
JOIN named w ON w.nspname = r.nspname AND w.relname = r.relname
GROUP BY w.kinds
UNION ALL
SELECT w.kinds, array_agg(r.oid)
FROM relations r
JOIN whole w ON w.nspname = r.nspname
GROUP BY w.kinds;
