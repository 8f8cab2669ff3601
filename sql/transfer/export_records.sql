-- Service records in the caller's subtree ($1, a LIKE prefix on area.path), for export.
-- $2 area code (subtree), $3 activity id, $4 volunteer id, $5 status, $6 source,
-- $7/$8 first and last service date, $9 row limit.
SELECT v.volunteer_no, v.phone, v.name, a.title AS activity, ar.name AS activity_area, r.service_date,
       r.started_at, r.ended_at, r.minutes, r.source, r.status, r.reason, va.path AS volunteer_path
FROM service_record r
JOIN activity a ON a.id = r.activity
JOIN area ar ON ar.id = r.area
JOIN volunteer v ON v.id = r.volunteer
JOIN area va ON va.id = v.area
WHERE ar.path LIKE $1
  AND ($2::text IS NULL OR ar.path LIKE (SELECT f.path || '%' FROM area f WHERE f.code = $2))
  AND ($3::int IS NULL OR r.activity = $3)
  AND ($4::int IS NULL OR r.volunteer = $4)
  AND ($5::text IS NULL OR r.status = $5)
  AND ($6::text IS NULL OR r.source = $6)
  AND ($7::date IS NULL OR r.service_date >= $7)
  AND ($8::date IS NULL OR r.service_date <= $8)
ORDER BY r.service_date, a.title, v.volunteer_no, r.id
LIMIT $9
