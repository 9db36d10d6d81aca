-- Server version, first token only ("17.10", not "17.10 (Debian 17.10-1.pgdg)").
SELECT split_part(current_setting('server_version'), ' ', 1) AS version;
