-- The teams of an area's subtree ($1: a LIKE prefix on area.path), for imports that name teams.
SELECT t.id, t.name, t.area AS area_id, a.code AS area_code, a.path AS area_path, t.founded_on, t.status
FROM team t
JOIN area a ON a.id = t.area
WHERE a.path LIKE $1
