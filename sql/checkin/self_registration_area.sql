-- The community a volunteer registering on an activity's check-in page may choose: a community of the
-- activity's district (the top of its area's path). $1 = area code, $2 = LIKE prefix of the district's path.
SELECT id, code, path
FROM area
WHERE code = $1 AND level = 'community' AND path LIKE $2
