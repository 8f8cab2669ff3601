-- A monthly series for an area's subtree: new registrations in the month; registered and active
-- (default definition) volunteers as of the month's last day, from the per-area day tables kept by
-- stats_refresh(); approved minutes by residence dated in the month; activities starting in the month.
-- $1 LIKE pattern of the area's subtree paths, $2 first day of the first month, $3 first day of the last month.
WITH members AS (
    SELECT id FROM area WHERE path LIKE $1
), months AS (
    SELECT m::date AS month, (m + interval '1 month' - interval '1 day')::date AS month_end
    FROM generate_series($2::date, $3::date, interval '1 month') AS m
)
SELECT to_char(mo.month, 'YYYY-MM') AS month, mo.month_end,
    (SELECT count(*) FROM volunteer v
      WHERE v.area IN (SELECT id FROM members) AND v.registered_on BETWEEN mo.month AND mo.month_end)::bigint
        AS new_registrations,
    (SELECT COALESCE(sum(d.delta), 0) FROM stats_registered_delta d
      WHERE d.area IN (SELECT id FROM members) AND d.day <= mo.month_end)::bigint AS registered,
    (SELECT COALESCE(sum(d.delta), 0) FROM stats_active_delta d
      WHERE d.area IN (SELECT id FROM members) AND d.day <= mo.month_end)::bigint AS active,
    (SELECT COALESCE(sum(s.minutes), 0) FROM stats_area_day s
      WHERE s.area IN (SELECT id FROM members) AND s.day BETWEEN mo.month AND mo.month_end)::bigint AS minutes,
    (SELECT count(*) FROM activity ac
      WHERE ac.area IN (SELECT id FROM members) AND ac.status IN ('published', 'completed')
        AND (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN mo.month AND mo.month_end)::bigint
        AS activities
FROM months mo
ORDER BY mo.month
