-- Population, teams, team coverage and activities for each target area's subtree.
-- $1 int[] target area ids, $2 as_of, $3 first day of the window,
-- $4 bool[] (parallel to $1): true = the area itself only, false = its subtree.
WITH targets AS (
    SELECT a.id, t.own, CASE WHEN t.own THEN a.path ELSE a.path || '%' END AS pattern
    FROM unnest($1::int[], $4::bool[]) AS t(id, own) JOIN area a ON a.id = t.id
), population AS (
    SELECT DISTINCT ON (p.area) p.area, p.year, p.resident_population, p.source, p.as_of
    FROM area_population p
    WHERE p.area = ANY($1) AND p.year <= extract(year FROM $2::date)
    ORDER BY p.area, p.year DESC
), live_teams AS (
    SELECT t.id, a.path FROM team t JOIN area a ON a.id = t.area
    WHERE t.status = 'active' AND COALESCE(t.founded_on, (t.created_at AT TIME ZONE 'Asia/Shanghai')::date) <= $2
), communities AS (
    SELECT c.path, (SELECT count(*) FROM live_teams lt WHERE lt.path LIKE c.path || '%') AS teams
    FROM area c WHERE c.level = 'community'
), held AS (
    SELECT a.path FROM activity ac JOIN area a ON a.id = ac.area
    WHERE ac.status IN ('published', 'completed')
      AND (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $3 AND $2
)
SELECT t.id AS area_id, t.own,
       p.year AS population_year, p.resident_population, p.source AS population_source, p.as_of AS population_as_of,
       (SELECT count(*) FROM live_teams lt WHERE lt.path LIKE t.pattern)::bigint AS teams,
       (SELECT count(*) FROM communities c WHERE c.path LIKE t.pattern)::bigint AS communities,
       (SELECT count(*) FROM communities c WHERE c.path LIKE t.pattern AND c.teams >= 2)::bigint
           AS communities_with_two_teams,
       (SELECT count(*) FROM held h WHERE h.path LIKE t.pattern)::bigint AS activities
FROM targets t
LEFT JOIN population p ON p.area = t.id AND NOT t.own
