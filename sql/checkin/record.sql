-- Service records with what responses and scope checks need; filtered by the caller's
-- subtree ($1, a LIKE prefix on area.path) and optional id, activity, volunteer, status, source;
-- `entered_by` the username of whoever entered a manual record;
-- one page ($7 limit, $8 offset), newest first, with the count of all matches.
-- Always one row at least: `id` is NULL when the page is empty, so `total` survives a large offset.
WITH hits AS (
    SELECT r.id
    FROM service_record r
    JOIN area ar ON ar.id = r.area
    WHERE ar.path LIKE $1
      AND ($2::int IS NULL OR r.id = $2)
      AND ($3::int IS NULL OR r.activity = $3)
      AND ($4::int IS NULL OR r.volunteer = $4)
      AND ($5::text IS NULL OR r.status = $5)
      AND ($6::text IS NULL OR r.source = $6)
)
SELECT (SELECT count(*) FROM hits) AS total, page.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT r.id, r.volunteer AS volunteer_id, v.volunteer_no, r.activity AS activity_id, ar.code AS area_code,
           ar.path AS area_path, ar.id AS area_id, r.service_date, r.source, r.status, r.started_at, r.ended_at,
           r.minutes, r.auto_closed, r.corrects, r.reason, r.inside_since,
           r.entered_by AS entered_by_id, u.username AS entered_by
    FROM (SELECT id FROM hits ORDER BY id DESC LIMIT $7 OFFSET $8) AS chosen
    JOIN service_record r ON r.id = chosen.id
    JOIN volunteer v ON v.id = r.volunteer
    JOIN area ar ON ar.id = r.area
    LEFT JOIN staff_user u ON u.id = r.entered_by
) AS page ON true
ORDER BY page.id DESC
