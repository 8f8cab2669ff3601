-- Activities, participants (approved records, 人次) and minutes by organising team, over a date range.
-- A jointly organised activity (and each of its records) counts under every one of its teams;
-- activities with no team form one row with key NULL.
-- $1 LIKE pattern of the area's subtree paths, $2 first day, $3 last day, $4 text[] sources.
WITH counted AS (
    SELECT at.team, count(*) AS activities
    FROM activity ac JOIN area a ON a.id = ac.area
    LEFT JOIN activity_team at ON at.activity = ac.id
    WHERE a.path LIKE $1 AND ac.status IN ('published', 'completed')
      AND (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2 AND $3
    GROUP BY at.team
), served AS (
    SELECT at.team, count(*) AS records, sum(r.minutes) AS minutes
    FROM service_record r JOIN area a ON a.id = r.area
    LEFT JOIN activity_team at ON at.activity = r.activity
    WHERE a.path LIKE $1 AND r.status = 'approved' AND r.service_date BETWEEN $2 AND $3 AND r.source = ANY($4)
    GROUP BY at.team
), keys AS (
    SELECT team FROM counted UNION SELECT team FROM served
)
SELECT k.team::text AS key,
       COALESCE(t.name, '未登记组织队伍') AS label,
       COALESCE(n.activities, 0)::bigint AS activities,
       COALESCE(s.records, 0)::bigint AS participants,
       COALESCE(s.minutes, 0)::bigint AS minutes
FROM keys k
LEFT JOIN team t ON t.id = k.team
LEFT JOIN counted n ON n.team IS NOT DISTINCT FROM k.team
LEFT JOIN served s ON s.team IS NOT DISTINCT FROM k.team
ORDER BY k.team IS NULL, activities DESC, participants DESC, label, k.team
