-- How many teams the per-team view lists (see teams.sql). $1 LIKE pattern, $2 as_of.
SELECT count(*)::bigint AS total
FROM team t JOIN area a ON a.id = t.area
WHERE a.path LIKE $1 AND t.status = 'active'
  AND COALESCE(t.founded_on, (t.created_at AT TIME ZONE 'Asia/Shanghai')::date) <= $2
