-- The approval queue (/staff/hours): one page of the service records of the caller's subtree ($1, a LIKE
-- prefix on area.path), oldest service day first, with the count of all that match (`total`, on every row).
-- Filters, each NULL for "any": $2 status, $3 source, $4 activity id, $5 first and $6 last service day;
-- $7 the first day still inside the 10 working days for recording (earlier pending records are overdue),
-- $8 true: overdue ones only; $9 today (a record's age in days); $10 limit, $11 offset.
-- Always one row at least: `id` is NULL when the page is empty, so `total` survives a large offset.
WITH hits AS (
    SELECT r.id, r.service_date
    FROM service_record r
    JOIN area ar ON ar.id = r.area
    WHERE ar.path LIKE $1
      AND ($2::text IS NULL OR r.status = $2)
      AND ($3::text IS NULL OR r.source = $3)
      AND ($4::int IS NULL OR r.activity = $4)
      AND ($5::date IS NULL OR r.service_date >= $5)
      AND ($6::date IS NULL OR r.service_date <= $6)
      AND (NOT $8::boolean OR (r.status = 'pending' AND r.service_date < $7::date))
)
SELECT (SELECT count(*) FROM hits) AS total, page.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT r.id, r.volunteer AS volunteer_id, v.volunteer_no, v.name AS volunteer_name,
           r.activity AS activity_id, a.title AS activity_title, ar.name AS area_name,
           r.service_date, r.started_at, r.ended_at, r.minutes, r.source, r.status, r.auto_closed,
           r.inside_since IS NOT NULL AS inside, r.reason, u.username AS entered_by,
           $9::date - r.service_date AS age_days,
           r.status = 'pending' AND r.service_date < $7::date AS overdue
    FROM (SELECT id FROM hits ORDER BY service_date, id LIMIT $10 OFFSET $11) AS chosen
    JOIN service_record r ON r.id = chosen.id
    JOIN volunteer v ON v.id = r.volunteer
    JOIN activity a ON a.id = r.activity
    JOIN area ar ON ar.id = r.area
    LEFT JOIN staff_user u ON u.id = r.entered_by
) AS page ON true
ORDER BY page.service_date, page.id
