-- The workbench's volunteer page: one volunteer's ($2) latest $3 service records in the caller's subtree ($1,
-- a LIKE prefix on the record's area path, as GET /service-records scopes them), with their activity's title.
SELECT r.id, r.service_date, r.source, r.status, r.minutes, r.started_at, r.auto_closed,
       a.id AS activity_id, a.title AS activity_title
FROM service_record r
JOIN area ar ON ar.id = r.area
JOIN activity a ON a.id = r.activity
WHERE r.volunteer = $2 AND ar.path LIKE $1
ORDER BY r.service_date DESC, r.id DESC
LIMIT $3
