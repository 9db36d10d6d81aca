-- The check expressions and index predicates that name columns, for constraints.sql and
-- indexes.sql. pg_get_expr() opens the table it is given, which builds the table's relation
-- cache entry: about 50 µs a table on a new session. Printed here, on the session that also
-- reads the policies (which open the same tables), a big schema's tables are opened by one
-- session instead of three. Rows: 'c' and a constraint's OID, or 'i' and an index's; the text.
-- Rows no other query keeps (an extension's, say) are harmless: they are only looked up.
-- Scope (see scope.ts): $1 the relations whose constraints are read, $2 whose indexes; NULL: all.
SELECT 'c' AS kind, con.oid::text AS oid, pg_get_expr(con.conbin, con.conrelid) AS text
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype = 'c'
  AND con.conbin::text LIKE '%{VAR :%'
  AND c.relkind IN ('r', 'p', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_temp_'
  AND n.nspname !~ '^pg_toast_temp_'
  AND ($1::oid[] IS NULL OR c.oid = ANY ($1::oid[]))
UNION ALL
SELECT 'i', i.indexrelid::text, pg_get_expr(i.indpred, i.indrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.indpred IS NOT NULL
  AND c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_temp_'
  AND n.nspname !~ '^pg_toast_temp_'
  AND ($2::oid[] IS NULL OR c.oid = ANY ($2::oid[]));
