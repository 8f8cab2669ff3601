-- A monthly series for an area's subtree: new registrations in the month; registered and active
-- (default definition) volunteers as of the month's last day, from the per-area day tables kept by
-- stats_refresh(); approved minutes by residence dated in the month; activities starting in the month.
-- The day tables are read once: everything up to the first month's end, then each later month's
-- days, and a running sum gives each month end.
-- $1 LIKE pattern of the area's subtree paths, $2 first day of the first month, $3 first day of the last month.
WITH members AS (
    SELECT id FROM area WHERE path LIKE $1
), months AS (
    SELECT m::date AS month, (m + interval '1 month' - interval '1 day')::date AS month_end
    FROM generate_series($2::date, $3::date, interval '1 month') AS m
), registered AS (
    SELECT mo.month, COALESCE(sum(d.delta), 0) AS change
    FROM months mo LEFT JOIN stats_registered_delta d
      ON d.area IN (SELECT id FROM members) AND d.day <= mo.month_end AND (mo.month = $2 OR d.day >= mo.month)
    GROUP BY mo.month
), active AS (
    SELECT mo.month, COALESCE(sum(d.delta), 0) AS change
    FROM months mo LEFT JOIN stats_active_delta d
      ON d.area IN (SELECT id FROM members) AND d.day <= mo.month_end AND (mo.month = $2 OR d.day >= mo.month)
    GROUP BY mo.month
), served AS (
    SELECT date_trunc('month', s.day)::date AS month, sum(s.minutes) AS minutes
    FROM stats_area_day s
    WHERE s.area IN (SELECT id FROM members) AND s.day BETWEEN $2 AND ($3::date + interval '1 month' - interval '1 day')
    GROUP BY 1
), joined AS (
    SELECT date_trunc('month', v.registered_on)::date AS month, count(*) AS n
    FROM volunteer v
    WHERE v.area IN (SELECT id FROM members)
      AND v.registered_on BETWEEN $2 AND ($3::date + interval '1 month' - interval '1 day')
    GROUP BY 1
), held AS (
    SELECT date_trunc('month', (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date)::date AS month, count(*) AS n
    FROM activity ac
    WHERE ac.area IN (SELECT id FROM members) AND ac.status IN ('published', 'completed')
      AND (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date
          BETWEEN $2 AND ($3::date + interval '1 month' - interval '1 day')
    GROUP BY 1
)
SELECT to_char(mo.month, 'YYYY-MM') AS month, mo.month_end,
       COALESCE(j.n, 0)::bigint AS new_registrations,
       (sum(r.change) OVER (ORDER BY mo.month))::bigint AS registered,
       (sum(a.change) OVER (ORDER BY mo.month))::bigint AS active,
       COALESCE(s.minutes, 0)::bigint AS minutes,
       COALESCE(h.n, 0)::bigint AS activities
FROM months mo
JOIN registered r ON r.month = mo.month
JOIN active a ON a.month = mo.month
LEFT JOIN served s ON s.month = mo.month
LEFT JOIN joined j ON j.month = mo.month
LEFT JOIN held h ON h.month = mo.month
ORDER BY mo.month
