-- Memberships of teams in the caller's subtree ($1, a LIKE prefix on area.path), for export.
-- $2 area code (the team's area subtree), $3 team id, $4 'current' | 'former' | NULL (all), $5 row limit.
-- `volunteer_path` lets the caller's own rules decide whether a member's phone is shown.
SELECT t.name AS team, ta.name AS team_area, v.volunteer_no, v.phone, v.name, m.role, m.joined_on, m.left_on,
       va.path AS volunteer_path
FROM membership m
JOIN team t ON t.id = m.team
JOIN area ta ON ta.id = t.area
JOIN volunteer v ON v.id = m.volunteer
JOIN area va ON va.id = v.area
WHERE ta.path LIKE $1
  AND ($2::text IS NULL OR ta.path LIKE (SELECT f.path || '%' FROM area f WHERE f.code = $2))
  AND ($3::int IS NULL OR t.id = $3)
  AND ($4::text IS NULL OR ($4 = 'current') = (m.left_on IS NULL))
ORDER BY ta.path, t.name, m.joined_on, m.id
LIMIT $5
