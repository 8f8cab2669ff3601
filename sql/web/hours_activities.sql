-- Activities of the caller's subtree ($1) to pick in the approval queue's filter and the 补录 form: those
-- that have begun by $2, latest first (cancelled ones too when $3 is true), and activity $4 whatever its
-- date, so a choice already made stays in the list.
SELECT a.id, a.title, a.starts_at, a.status, ar.name AS area_name
FROM activity a
JOIN area ar ON ar.id = a.area
WHERE ar.path LIKE $1
  AND ((a.starts_at <= $2 AND ($3::boolean OR a.status <> 'cancelled')) OR a.id = $4::int)
ORDER BY a.starts_at DESC, a.id DESC
LIMIT 100
