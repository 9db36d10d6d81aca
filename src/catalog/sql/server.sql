-- Server version, first token only ("17.10", not "17.10 (Debian 17.10-1.pgdg)"), its number
-- (170010), which decides the catalog columns the other queries may use, and the size of
-- pg_class, which decides whether reading on more than one session is worth its connections;
-- and the session's jit and parallel query settings, put back before rows are counted.
SELECT split_part(current_setting('server_version'), ' ', 1) AS version,
       current_setting('server_version_num')::int AS version_num,
       pg_relation_size('pg_catalog.pg_class') AS catalog_bytes,
       current_setting('jit') AS jit,
       current_setting('max_parallel_workers_per_gather') AS parallel_workers;
