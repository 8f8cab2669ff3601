-- Stored memberships of the (team, volunteer) pairs an import names, locked until commit.
SELECT m.id, m.team, m.volunteer, m.role, m.joined_on, m.left_on
FROM membership m
JOIN (SELECT DISTINCT * FROM unnest($1::int[], $2::int[]) AS k(team, volunteer)) AS k
  ON k.team = m.team AND k.volunteer = m.volunteer
ORDER BY m.joined_on
FOR UPDATE OF m
