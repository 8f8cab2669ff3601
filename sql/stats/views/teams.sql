-- Per team as of a date: registered members, active members and their hours in the window.
-- Teams listed are those the `teams` figure counts: active, founded on or before as_of, in the subtree.
-- $1 LIKE pattern of the area's subtree paths, $2 as_of, $3 first day of the window,
-- $4 minimum minutes of a record that makes its volunteer active, $5 text[] sources,
-- $6 page size (NULL: every team), $7 rows to skip.
WITH listed AS (
    SELECT t.id, t.name, t.sponsor, a.code AS area_code, a.name AS area_name, a.level AS area_level, a.path
    FROM team t JOIN area a ON a.id = t.area
    WHERE a.path LIKE $1 AND t.status = 'active'
      AND COALESCE(t.founded_on, (t.created_at AT TIME ZONE 'Asia/Shanghai')::date) <= $2
    ORDER BY a.path, t.name, t.id
    LIMIT $6 OFFSET $7
), members AS (
    SELECT DISTINCT m.team, m.volunteer
    FROM membership m JOIN listed l ON l.id = m.team JOIN volunteer v ON v.id = m.volunteer
    WHERE m.joined_on <= $2 AND (m.left_on IS NULL OR m.left_on > $2)
      AND v.registered_on <= $2 AND (v.withdrawn_on IS NULL OR v.withdrawn_on > $2)
), served AS (
    SELECT r.volunteer, sum(r.minutes) AS minutes, bool_or(r.minutes > 0 AND r.minutes >= $4) AS active
    FROM service_record r
    WHERE r.volunteer IN (SELECT volunteer FROM members)
      AND r.status = 'approved' AND r.service_date BETWEEN $3 AND $2 AND r.source = ANY($5)
    GROUP BY r.volunteer
)
SELECT l.id, l.name, l.sponsor, l.area_code, l.area_name, l.area_level,
       count(m.volunteer)::bigint AS registered,
       count(m.volunteer) FILTER (WHERE s.active)::bigint AS active,
       COALESCE(sum(s.minutes), 0)::bigint AS minutes
FROM listed l
LEFT JOIN members m ON m.team = l.id
LEFT JOIN served s ON s.volunteer = m.volunteer
GROUP BY l.id, l.name, l.sponsor, l.area_code, l.area_name, l.area_level, l.path
ORDER BY l.path, l.name, l.id
