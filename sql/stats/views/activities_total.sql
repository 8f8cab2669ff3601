-- The totals of the activity groupings, each activity and record counted once.
-- $1 LIKE pattern of the area's subtree paths, $2 first day, $3 last day, $4 text[] sources.
SELECT
    (SELECT count(*) FROM activity ac JOIN area a ON a.id = ac.area
      WHERE a.path LIKE $1 AND ac.status IN ('published', 'completed')
        AND (ac.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2 AND $3)::bigint AS activities,
    count(r.id)::bigint AS participants,
    COALESCE(sum(r.minutes), 0)::bigint AS minutes
FROM service_record r JOIN area a ON a.id = r.area
WHERE a.path LIKE $1 AND r.status = 'approved' AND r.service_date BETWEEN $2 AND $3 AND r.source = ANY($4)
