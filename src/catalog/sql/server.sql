-- Server version, first token only ("17.10", not "17.10 (Debian 17.10-1.pgdg)"), its number
-- (170010), which decides the catalog columns the other queries may use, and the size of
-- pg_class, which decides whether reading on more than one session is worth its connections.
SELECT split_part(current_setting('server_version'), ' ', 1) AS version,
       current_setting('server_version_num')::int AS version_num,
       pg_relation_size('pg_catalog.pg_class') AS catalog_bytes;
