-- The workbench's team forms: the service categories teams of the caller's subtree ($1, a LIKE prefix on
-- area.path) use, most used first, to offer as boxes to tick.
SELECT c.category, count(*) AS teams
FROM team t
JOIN area ar ON ar.id = t.area
CROSS JOIN LATERAL unnest(t.categories) AS c(category)
WHERE ar.path LIKE $1
GROUP BY c.category
ORDER BY count(*) DESC, c.category
LIMIT 40
