-- Full activity rows (with category, area, venue and organising teams) for the ids in $1, newest start first.
SELECT a.id,
       a.title,
       c.code AS category,
       c.name AS category_name,
       a.area AS area_id,
       ar.code AS area_code,
       ar.path AS area_path,
       a.venue AS venue_id,
       v.name AS venue_name,
       COALESCE(
           (SELECT array_agg(t.team ORDER BY t.team) FROM activity_team t WHERE t.activity = a.id),
           '{}'::int[]
       ) AS team_ids,
       a.starts_at,
       a.ends_at,
       a.capacity,
       a.status,
       a.opens_before_minutes,
       a.closes_after_minutes,
       a.rounding_minutes,
       a.daily_cap_minutes,
       a.reentry_allowed,
       a.approval
FROM activity a
JOIN activity_category c ON c.id = a.category
JOIN area ar ON ar.id = a.area
LEFT JOIN venue v ON v.id = a.venue
WHERE a.id = ANY($1::int[])
ORDER BY a.starts_at DESC, a.id DESC
