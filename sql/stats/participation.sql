-- Fast path: registered, active (default definition), minutes and records for each target
-- area, from the per-area tables kept by stats_refresh(). A running total "as of D" is the
-- months before D's month plus the days of D's month up to D; a window total is the running
-- total at its end minus the one the day before it starts.
-- $1 int[] target area ids, $2 as_of, $3 first day of the window, $4 text[] sources,
-- $5 bool[] (parallel to $1): true = the area itself only (its "本级" row), false = its subtree.
WITH targets AS (
    SELECT a.id, a.path, t.own FROM unnest($1::int[], $5::bool[]) AS t(id, own) JOIN area a ON a.id = t.id
), members AS (
    SELECT t.id AS target, t.own, a.id AS area
    FROM targets t JOIN area a ON a.id = t.id OR (NOT t.own AND a.path LIKE t.path || '%')
), areas AS (
    SELECT DISTINCT area FROM members
), registered AS (
    SELECT area, sum(n) AS n FROM (
        SELECT m.area, m.delta AS n FROM stats_registered_month m WHERE m.month < date_trunc('month', $2::date)::date
        UNION ALL
        SELECT d.area, d.delta FROM stats_registered_delta d WHERE d.day >= date_trunc('month', $2::date)::date AND d.day <= $2
    ) x WHERE area IN (SELECT area FROM areas) GROUP BY area
), active AS (
    SELECT area, sum(n) AS n FROM (
        SELECT m.area, m.delta AS n FROM stats_active_month m WHERE m.month < date_trunc('month', $2::date)::date
        UNION ALL
        SELECT d.area, d.delta FROM stats_active_delta d WHERE d.day >= date_trunc('month', $2::date)::date AND d.day <= $2
    ) x WHERE area IN (SELECT area FROM areas) GROUP BY area
), served AS (
    SELECT area, sum(n) AS minutes FROM (
        SELECT m.area, m.minutes AS n FROM stats_area_month m
            WHERE m.month < date_trunc('month', $2::date)::date AND m.source = ANY($4)
        UNION ALL SELECT d.area, d.minutes FROM stats_area_day d
            WHERE d.day >= date_trunc('month', $2::date)::date AND d.day <= $2 AND d.source = ANY($4)
        UNION ALL SELECT m.area, -m.minutes FROM stats_area_month m
            WHERE m.month < date_trunc('month', $3::date - 1)::date AND m.source = ANY($4)
        UNION ALL SELECT d.area, -d.minutes FROM stats_area_day d
            WHERE d.day >= date_trunc('month', $3::date - 1)::date AND d.day <= $3::date - 1 AND d.source = ANY($4)
    ) x WHERE area IN (SELECT area FROM areas) GROUP BY area
), hosted AS (
    SELECT area, sum(n) AS records FROM (
        SELECT m.area, m.records AS n FROM stats_place_month m
            WHERE m.month < date_trunc('month', $2::date)::date AND m.source = ANY($4)
        UNION ALL SELECT d.area, d.records FROM stats_place_day d
            WHERE d.day >= date_trunc('month', $2::date)::date AND d.day <= $2 AND d.source = ANY($4)
        UNION ALL SELECT m.area, -m.records FROM stats_place_month m
            WHERE m.month < date_trunc('month', $3::date - 1)::date AND m.source = ANY($4)
        UNION ALL SELECT d.area, -d.records FROM stats_place_day d
            WHERE d.day >= date_trunc('month', $3::date - 1)::date AND d.day <= $3::date - 1 AND d.source = ANY($4)
    ) x WHERE area IN (SELECT area FROM areas) GROUP BY area
)
SELECT m.target AS area_id, m.own,
       COALESCE(sum(registered.n), 0)::bigint AS registered,
       COALESCE(sum(active.n), 0)::bigint AS active,
       COALESCE(sum(served.minutes), 0)::bigint AS minutes,
       COALESCE(sum(hosted.records), 0)::bigint AS participants
FROM members m
LEFT JOIN registered ON registered.area = m.area
LEFT JOIN active ON active.area = m.area
LEFT JOIN served ON served.area = m.area
LEFT JOIN hosted ON hosted.area = m.area
GROUP BY m.target, m.own
