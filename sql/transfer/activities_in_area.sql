-- The activities of an area's subtree ($1: a LIKE prefix on area.path), for service-record imports.
SELECT a.id, a.title, a.area AS area_id, a.starts_at, a.ends_at, a.status
FROM activity a
JOIN area ar ON ar.id = a.area
WHERE ar.path LIKE $1
