-- The activity user $1 created in the last ten minutes with the same title ($2), area code ($3), start ($4) and
-- end ($5): the first submission of a "new activity" form sent twice (a double click, or back and send again).
SELECT a.id
FROM activity a
JOIN area ar ON ar.id = a.area
JOIN audit_entry e ON e.entity = 'activity' AND e.action = 'create' AND e.entity_id = a.id::text
WHERE e."user" = $1 AND a.title = $2 AND ar.code = $3 AND a.starts_at = $4 AND a.ends_at = $5
  AND a.created_at > now() - interval '10 minutes'
ORDER BY a.id DESC
LIMIT 1
