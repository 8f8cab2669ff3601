-- Service records with what responses and scope checks need; filtered by the caller's
-- subtree ($1, a LIKE prefix on area.path) and optional id, activity, volunteer, status, source.
SELECT r.id, r.volunteer AS volunteer_id, v.volunteer_no, r.activity AS activity_id, ar.code AS area_code,
       ar.path AS area_path, ar.id AS area_id, r.service_date, r.source, r.status, r.started_at, r.ended_at,
       r.minutes, r.auto_closed, r.corrects, r.reason, r.inside_since,
       count(*) OVER () AS total
FROM service_record r
JOIN volunteer v ON v.id = r.volunteer
JOIN area ar ON ar.id = r.area
WHERE ar.path LIKE $1
  AND ($2::int IS NULL OR r.id = $2)
  AND ($3::int IS NULL OR r.activity = $3)
  AND ($4::int IS NULL OR r.volunteer = $4)
  AND ($5::text IS NULL OR r.status = $5)
  AND ($6::text IS NULL OR r.source = $6)
ORDER BY r.id DESC
LIMIT $7 OFFSET $8
