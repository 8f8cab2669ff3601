-- The workbench's volunteer page: one volunteer's ($2) service records in the caller's subtree ($1, a LIKE
-- prefix on the record's area path, as GET /service-records scopes them), counted and summed by status.
SELECT r.status, count(*) AS records, coalesce(sum(r.minutes), 0)::int AS minutes
FROM service_record r
JOIN area ar ON ar.id = r.area
WHERE r.volunteer = $2 AND ar.path LIKE $1
GROUP BY r.status
