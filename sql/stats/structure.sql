-- Population, teams, team coverage and activities for each target area (its subtree, or the
-- area itself only). Counts are made per area first, then rolled up along the paths.
-- $1 int[] target area ids, $2 as_of, $3 first day of the window,
-- $4 bool[] (parallel to $1): true = the area itself only, false = its subtree.
WITH targets AS (
    SELECT a.id, a.path, t.own FROM unnest($1::int[], $4::bool[]) AS t(id, own) JOIN area a ON a.id = t.id
), members AS (
    SELECT t.id AS target, t.own, a.id AS area, a.path, a.level
    FROM targets t JOIN area a ON a.id = t.id OR (NOT t.own AND a.path LIKE t.path || '%')
), population AS (
    SELECT DISTINCT ON (p.area) p.area, p.year, p.resident_population, p.source, p.as_of
    FROM area_population p
    WHERE p.area = ANY($1) AND p.year <= extract(year FROM $2::date)
    ORDER BY p.area, p.year DESC
), teams AS (
    SELECT t.area, count(*) AS n FROM team t
    WHERE t.status = 'active' AND COALESCE(t.founded_on, (t.created_at AT TIME ZONE 'Asia/Shanghai')::date) <= $2
    GROUP BY t.area
), held AS (
    SELECT ac.area, count(*) AS n FROM activity ac
    WHERE ac.status IN ('published', 'completed')
      AND ac.starts_at >= ($3::date::timestamp AT TIME ZONE 'Asia/Shanghai')
      AND ac.starts_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
    GROUP BY ac.area
), community_teams AS (
    SELECT c.id AS community, COALESCE(sum(teams.n), 0) AS n
    FROM area c JOIN area a ON a.path LIKE c.path || '%' LEFT JOIN teams ON teams.area = a.id
    WHERE c.level = 'community'
    GROUP BY c.id
)
SELECT m.target AS area_id, m.own,
       min(p.year) AS population_year, min(p.resident_population) AS resident_population,
       min(p.source) AS population_source, min(p.as_of) AS population_as_of,
       COALESCE(sum(teams.n), 0)::bigint AS teams,
       count(*) FILTER (WHERE m.level = 'community')::bigint AS communities,
       count(*) FILTER (WHERE m.level = 'community' AND ct.n >= 2)::bigint AS communities_with_two_teams,
       COALESCE(sum(held.n), 0)::bigint AS activities
FROM members m
LEFT JOIN population p ON p.area = m.target AND NOT m.own AND m.area = m.target
LEFT JOIN teams ON teams.area = m.area
LEFT JOIN held ON held.area = m.area
LEFT JOIN community_teams ct ON ct.community = m.area
GROUP BY m.target, m.own
