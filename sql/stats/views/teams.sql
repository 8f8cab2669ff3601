-- Per team as of a date: registered members, active members and their hours in the window.
-- Teams listed are those the `teams` figure counts: active, founded on or before as_of, in the subtree.
-- Members' records are joined in one pass and counted per distinct volunteer (a hash join on the
-- records, whatever the row estimates say).
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
), counted AS (
    SELECT m.team,
           count(DISTINCT m.volunteer) AS registered,
           count(DISTINCT m.volunteer) FILTER (WHERE r.minutes > 0 AND r.minutes >= $4) AS active,
           COALESCE(sum(r.minutes), 0) AS minutes
    FROM members m
    LEFT JOIN service_record r
      ON r.volunteer = m.volunteer AND r.status = 'approved' AND r.service_date BETWEEN $3 AND $2
     AND r.source = ANY($5)
    GROUP BY m.team
)
SELECT l.id, l.name, l.sponsor, l.area_code, l.area_name, l.area_level,
       COALESCE(c.registered, 0)::bigint AS registered,
       COALESCE(c.active, 0)::bigint AS active,
       COALESCE(c.minutes, 0)::bigint AS minutes
FROM listed l
LEFT JOIN counted c ON c.team = l.id
ORDER BY l.path, l.name, l.id
