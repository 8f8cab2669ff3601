-- Activities (by the month they start, Beijing date) and participants and minutes (by the month of
-- service), for every month the date range touches, empty months included.
-- $1 LIKE pattern of the area's subtree paths, $2 first day, $3 last day, $4 text[] sources.
WITH months AS (
    SELECT m::date AS month FROM generate_series(date_trunc('month', $2::date), $3::date, interval '1 month') AS m
), counted AS (
    SELECT date_trunc('month', (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date)::date AS month,
           count(*) AS activities
    FROM activity ac JOIN area a ON a.id = ac.area
    WHERE a.path LIKE $1 AND ac.status IN ('published', 'completed')
      AND (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2 AND $3
    GROUP BY 1
), served AS (
    SELECT date_trunc('month', r.service_date)::date AS month, count(*) AS records, sum(r.minutes) AS minutes
    FROM service_record r JOIN area a ON a.id = r.area
    WHERE a.path LIKE $1 AND r.status = 'approved' AND r.service_date BETWEEN $2 AND $3 AND r.source = ANY($4)
    GROUP BY 1
)
SELECT to_char(mo.month, 'YYYY-MM') AS key,
       extract(year FROM mo.month)::int || '年' || extract(month FROM mo.month)::int || '月' AS label,
       COALESCE(n.activities, 0)::bigint AS activities,
       COALESCE(s.records, 0)::bigint AS participants,
       COALESCE(s.minutes, 0)::bigint AS minutes
FROM months mo
LEFT JOIN counted n ON n.month = mo.month
LEFT JOIN served s ON s.month = mo.month
ORDER BY mo.month
