-- An activity with what the poster, the phone page and the scope checks need. $1 = activity id.
SELECT a.id, a.title, a.status, a.starts_at, a.ends_at, a.capacity,
       a.opens_before_minutes, a.closes_after_minutes,
       ar.id AS area_id, ar.path AS area_path, ar.name AS area_name,
       v.name AS venue_name, v.address AS venue_address,
       c.code
FROM activity a
JOIN area ar ON ar.id = a.area
LEFT JOIN venue v ON v.id = a.venue
LEFT JOIN checkin_code c ON c.activity = a.id AND c.revoked_at IS NULL
WHERE a.id = $1
