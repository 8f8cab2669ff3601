-- Changed memberships of an import: role, and the day a member left.
UPDATE membership m
SET role = s.role, left_on = s.left_on
FROM import_membership s
WHERE m.id = s.target
