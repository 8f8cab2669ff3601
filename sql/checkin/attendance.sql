-- Check-in records of one activity, with the volunteer and the path of the area they live in
-- (their phone is shown whole only to staff covering it). $1 = activity id.
SELECT r.id AS record_id, r.volunteer AS volunteer_id, v.volunteer_no, v.name, v.phone, va.path AS volunteer_path,
       r.started_at AS checked_in_at, r.ended_at AS checked_out_at, r.inside_since IS NOT NULL AS inside,
       r.minutes, r.source, r.status, r.auto_closed
FROM service_record r
JOIN volunteer v ON v.id = r.volunteer
JOIN area va ON va.id = v.area
WHERE r.activity = $1
ORDER BY r.started_at, r.id
