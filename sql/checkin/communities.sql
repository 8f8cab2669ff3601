-- Communities a self-registering volunteer may pick: those of the activity's district.
-- $1 = LIKE prefix of the district's path.
SELECT c.code, s.name || ' · ' || c.name AS label
FROM area c
JOIN area s ON s.id = c.parent
WHERE c.level = 'community' AND c.path LIKE $1
ORDER BY c.path
