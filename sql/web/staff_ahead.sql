-- The workbench home: activities of the caller's subtree ($1, a LIKE prefix on area.path) that are on
-- between $2 and $3 (not cancelled), soonest first, with the counters staff watch at the door
-- (as checkin/attendance.sql counts them: volunteers checked in by scan, and those inside now).
SELECT a.id, a.title, a.starts_at, a.ends_at, a.status, a.capacity, ar.name AS area_name, ve.name AS venue_name,
       count(DISTINCT r.volunteer) FILTER (WHERE r.source = 'checkin') AS checked_in,
       count(*) FILTER (WHERE r.source = 'checkin' AND r.inside_since IS NOT NULL) AS inside_now
FROM activity a
JOIN area ar ON ar.id = a.area
LEFT JOIN venue ve ON ve.id = a.venue
LEFT JOIN service_record r ON r.activity = a.id
WHERE ar.path LIKE $1 AND a.ends_at >= $2 AND a.starts_at < $3 AND a.status <> 'cancelled'
GROUP BY a.id, ar.name, ve.name
ORDER BY a.starts_at, a.id
LIMIT 50
