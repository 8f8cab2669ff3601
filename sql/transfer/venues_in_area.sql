-- The venues of an area's subtree ($1: a LIKE prefix on area.path), for activity imports.
SELECT v.id, v.name, v.area AS area_id
FROM venue v
JOIN area a ON a.id = v.area
WHERE a.path LIKE $1
