-- Installed extensions (plpgsql included) with version and schema.
SELECT e.extname::text AS extname,
       e.extversion AS extversion,
       n.nspname::text AS nspname
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
ORDER BY e.extname COLLATE "C";
