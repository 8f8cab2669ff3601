-- The teams organising activity $1, with their status and area, by name (the activity page lists them, and its
-- form keeps those the caller could not pick today: dissolved, or of an area outside the caller's subtree).
SELECT t.id, t.name, t.status, ar.name AS area_name
FROM activity_team at
JOIN team t ON t.id = at.team
JOIN area ar ON ar.id = t.area
WHERE at.activity = $1
ORDER BY t.name, t.id
