-- Activities, participants (approved records, 人次) and minutes by venue (阵地), over a date range;
-- activities without a venue form one row with key NULL.
-- $1 LIKE pattern of the area's subtree paths, $2 first day, $3 last day, $4 text[] sources.
WITH counted AS (
    SELECT ac.venue, count(*) AS activities
    FROM activity ac JOIN area a ON a.id = ac.area
    WHERE a.path LIKE $1 AND ac.status IN ('published', 'completed')
      AND (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2 AND $3
    GROUP BY ac.venue
), served AS (
    SELECT ac.venue, count(*) AS records, sum(r.minutes) AS minutes
    FROM service_record r JOIN area a ON a.id = r.area JOIN activity ac ON ac.id = r.activity
    WHERE a.path LIKE $1 AND r.status = 'approved' AND r.service_date BETWEEN $2 AND $3 AND r.source = ANY($4)
    GROUP BY ac.venue
), keys AS (
    SELECT venue FROM counted UNION SELECT venue FROM served
)
SELECT k.venue::text AS key,
       COALESCE(v.name || '（' || va.name || '）', '未指定阵地') AS label,
       COALESCE(n.activities, 0)::bigint AS activities,
       COALESCE(s.records, 0)::bigint AS participants,
       COALESCE(s.minutes, 0)::bigint AS minutes
FROM keys k
LEFT JOIN venue v ON v.id = k.venue
LEFT JOIN area va ON va.id = v.area
LEFT JOIN counted n ON n.venue IS NOT DISTINCT FROM k.venue
LEFT JOIN served s ON s.venue IS NOT DISTINCT FROM k.venue
ORDER BY k.venue IS NULL, activities DESC, participants DESC, label, k.venue
