-- Activities, participants (approved records, 人次) and minutes by activity category, over a date range.
-- $1 LIKE pattern of the area's subtree paths, $2 first day, $3 last day, $4 text[] sources.
WITH counted AS (
    SELECT ac.category, count(*) AS activities
    FROM activity ac JOIN area a ON a.id = ac.area
    WHERE a.path LIKE $1 AND ac.status IN ('published', 'completed')
      AND (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2 AND $3
    GROUP BY ac.category
), served AS (
    SELECT ac.category, count(*) AS records, sum(r.minutes) AS minutes
    FROM service_record r JOIN area a ON a.id = r.area JOIN activity ac ON ac.id = r.activity
    WHERE a.path LIKE $1 AND r.status = 'approved' AND r.service_date BETWEEN $2 AND $3 AND r.source = ANY($4)
    GROUP BY ac.category
)
SELECT c.code AS key, c.name AS label,
       COALESCE(n.activities, 0)::bigint AS activities,
       COALESCE(s.records, 0)::bigint AS participants,
       COALESCE(s.minutes, 0)::bigint AS minutes
FROM activity_category c
LEFT JOIN counted n ON n.category = c.id
LEFT JOIN served s ON s.category = c.id
WHERE n.category IS NOT NULL OR s.category IS NOT NULL
ORDER BY c.sort_order, c.id
