-- Estimated row counts from the planner statistics (pg_class.reltuples). A partitioned table
-- holds no rows itself: its estimate is the sum over its leaf partitions. reltuples is -1
-- for a table never vacuumed or analyzed; that counts as 0 (an estimate, not a guess).
-- $1, $2: schema and table names of the tables to count, pairwise.
SELECT k.ord::int AS ord,
       CASE WHEN c.relkind = 'p' THEN
              (SELECT coalesce(sum(greatest(lc.reltuples, 0)::float8), 0)
               FROM pg_partition_tree(c.oid) AS pt
               JOIN pg_class lc ON lc.oid = pt.relid
               WHERE pt.isleaf)
            ELSE greatest(c.reltuples, 0)::float8
       END AS estimate
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(nspname, relname, ord)
JOIN pg_namespace n ON n.nspname = k.nspname
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = k.relname
ORDER BY k.ord;
