-- One page of activity ids matching the list filters, newest start first, with the count of all matches.
-- $1 caller's path prefix, $2 area code (its subtree), $3 team id, $4 venue id, $5 category code or name,
-- $6 status, $7/$8 the [from, to) instants the activity must overlap, $9 limit, $10 offset.
-- Always one row at least: `id` is NULL when the page is empty, so `total` survives a large offset.
WITH hits AS (
    SELECT a.id, a.starts_at
    FROM activity a
    JOIN area ar ON ar.id = a.area
    JOIN activity_category c ON c.id = a.category
    WHERE ar.path LIKE $1
      AND ($2::text IS NULL OR ar.path LIKE (SELECT f.path || '%' FROM area f WHERE f.code = $2))
      AND ($3::int IS NULL OR EXISTS (SELECT 1 FROM activity_team t WHERE t.activity = a.id AND t.team = $3))
      AND ($4::int IS NULL OR a.venue = $4)
      AND ($5::text IS NULL OR c.code = $5 OR c.name = $5)
      AND ($6::text IS NULL OR a.status = $6)
      AND ($7::timestamptz IS NULL OR a.ends_at > $7)
      AND ($8::timestamptz IS NULL OR a.starts_at < $8)
)
SELECT (SELECT count(*) FROM hits) AS total, page.id
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT id, starts_at FROM hits ORDER BY starts_at DESC, id DESC LIMIT $9 OFFSET $10
) AS page ON true
ORDER BY page.starts_at DESC, page.id DESC
