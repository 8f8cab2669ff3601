-- Registered volunteers of each target area by star level: how many thresholds their cumulative
-- approved minutes (service dates up to as_of, from the given sources) reach.
-- $1 int[] target area ids, $2 bool[] (parallel to $1): true = the area itself only, false = its subtree,
-- $3 as_of, $4 text[] sources, $5 numeric[] thresholds in minutes, ascending.
WITH targets AS (
    SELECT a.id, t.own, CASE WHEN t.own THEN a.path ELSE a.path || '%' END AS pattern
    FROM unnest($1::int[], $2::bool[]) AS t(id, own) JOIN area a ON a.id = t.id
), registered AS (
    SELECT v.id, a.path FROM volunteer v JOIN area a ON a.id = v.area
    WHERE v.registered_on <= $3 AND (v.withdrawn_on IS NULL OR v.withdrawn_on > $3)
      AND EXISTS (SELECT 1 FROM targets t WHERE a.path LIKE t.pattern)
), served AS (
    SELECT r.volunteer, sum(r.minutes) AS minutes
    FROM service_record r JOIN registered g ON g.id = r.volunteer
    WHERE r.status = 'approved' AND r.service_date <= $3 AND r.source = ANY($4)
    GROUP BY r.volunteer
), levelled AS (
    SELECT g.path,
           (SELECT count(*) FROM unnest($5::numeric[]) AS th(minutes) WHERE COALESCE(s.minutes, 0) >= th.minutes)::int
               AS stars
    FROM registered g LEFT JOIN served s ON s.volunteer = g.id
)
SELECT t.id AS area_id, t.own, l.stars, count(*)::bigint AS volunteers
FROM targets t JOIN levelled l ON l.path LIKE t.pattern
GROUP BY t.id, t.own, l.stars
