-- The workbench home: the latest imports into the caller's subtree ($1), from their audit entries.
SELECT e.at, e.username, e.after ->> 'kind' AS kind, e.after ->> 'file' AS file, e.after ->> 'area' AS area,
       (e.after ->> 'rows')::int AS rows, (e.after ->> 'created')::int AS created,
       (e.after ->> 'updated')::int AS updated, (e.after ->> 'errors')::int AS errors
FROM audit_entry e
JOIN area ar ON ar.id = e.area
WHERE e.entity = 'import' AND ar.path LIKE $1
ORDER BY e.at DESC, e.id DESC
LIMIT 5
