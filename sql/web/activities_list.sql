-- The workbench's activity list: one page of the activities of the caller's subtree ($1, a LIKE prefix on
-- area.path) matching the filters, newest start first, each row carrying the count of all matches.
-- $2 area code (its subtree) or NULL, $3 status or NULL, $4/$5 the [from, to) instants an activity must overlap
-- or NULL, $6 an ILIKE pattern for the title or NULL, $7 limit, $8 offset.
SELECT a.id, a.title, a.status, a.starts_at, a.ends_at, a.capacity,
       ar.name AS area_name, v.name AS venue_name, c.name AS category_name,
       count(*) OVER () AS total
FROM activity a
JOIN area ar ON ar.id = a.area
JOIN activity_category c ON c.id = a.category
LEFT JOIN venue v ON v.id = a.venue
WHERE ar.path LIKE $1
  AND ($2::text IS NULL OR ar.path LIKE (SELECT f.path || '%' FROM area f WHERE f.code = $2))
  AND ($3::text IS NULL OR a.status = $3)
  AND ($4::timestamptz IS NULL OR a.ends_at > $4)
  AND ($5::timestamptz IS NULL OR a.starts_at < $5)
  AND ($6::text IS NULL OR a.title ILIKE $6)
ORDER BY a.starts_at DESC, a.id DESC
LIMIT $7 OFFSET $8
