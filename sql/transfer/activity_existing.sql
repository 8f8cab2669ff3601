-- Stored activities an import's rows name by (title, area, starts_at), with their teams, locked until commit.
SELECT a.id, a.title, a.area, a.starts_at, a.ends_at, a.category, a.venue, a.capacity, a.status,
       COALESCE((SELECT array_agg(t.team ORDER BY t.team) FROM activity_team t WHERE t.activity = a.id),
                '{}'::int[]) AS team_ids
FROM activity a
JOIN unnest($1::text[], $2::int[], $3::timestamptz[]) AS k(title, area, starts_at)
  ON k.title = a.title AND k.area = a.area AND k.starts_at = a.starts_at
FOR UPDATE OF a
