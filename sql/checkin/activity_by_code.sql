-- The activity behind a check-in code (live or revoked), for the phone page. $1 = code.
SELECT a.id, a.title, a.status, a.starts_at, a.ends_at, a.capacity,
       a.opens_before_minutes, a.closes_after_minutes,
       ar.id AS area_id, ar.path AS area_path, ar.name AS area_name,
       v.name AS venue_name, v.address AS venue_address,
       c.code, c.revoked_at
FROM checkin_code c
JOIN activity a ON a.id = c.activity
JOIN area ar ON ar.id = a.area
LEFT JOIN venue v ON v.id = a.venue
WHERE c.code = $1
