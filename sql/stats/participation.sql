-- Fast path: registered, active (default definition), minutes and records for each target
-- area's subtree, as sums over the per-area day tables kept by stats_refresh().
-- $1 int[] target area ids, $2 as_of, $3 first day of the window, $4 text[] sources,
-- $5 bool[] (parallel to $1): true = the area itself only (its "本级" row), false = its subtree.
WITH targets AS (
    SELECT a.id, a.path, t.own FROM unnest($1::int[], $5::bool[]) AS t(id, own) JOIN area a ON a.id = t.id
), members AS (
    SELECT t.id AS target, t.own, a.id AS area
    FROM targets t JOIN area a ON a.id = t.id OR (NOT t.own AND a.path LIKE t.path || '%')
), registered AS (
    SELECT area, sum(delta) AS n FROM stats_registered_delta
    WHERE day <= $2 AND area IN (SELECT area FROM members) GROUP BY area
), active AS (
    SELECT area, sum(delta) AS n FROM stats_active_delta
    WHERE day <= $2 AND area IN (SELECT area FROM members) GROUP BY area
), served AS (
    SELECT area, sum(minutes) AS minutes FROM stats_area_day
    WHERE day BETWEEN $3 AND $2 AND source = ANY($4) AND area IN (SELECT area FROM members) GROUP BY area
), hosted AS (
    SELECT area, sum(records) AS records FROM stats_place_day
    WHERE day BETWEEN $3 AND $2 AND source = ANY($4) AND area IN (SELECT area FROM members) GROUP BY area
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
