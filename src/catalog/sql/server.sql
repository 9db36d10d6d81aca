-- Server version, first token only ("17.10", not "17.10 (Debian 17.10-1.pgdg)"), and its number
-- (170010), which decides the catalog columns the other queries may use.
SELECT split_part(current_setting('server_version'), ' ', 1) AS version,
       current_setting('server_version_num')::int AS version_num;
