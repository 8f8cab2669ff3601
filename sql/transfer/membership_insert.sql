-- New memberships of an import.
INSERT INTO membership (team, volunteer, role, joined_on, left_on)
SELECT s.team, s.volunteer, s.role, s.joined_on, s.left_on
FROM (SELECT * FROM import_membership WHERE target IS NULL ORDER BY row_no) AS s
