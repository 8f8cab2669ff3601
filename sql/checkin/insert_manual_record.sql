-- A staff-entered (补录) record: hours by the same rules as scans (clip to the activity,
-- round down, cap), pending, pointing at the check-in record it corrects if there is one.
-- $1 volunteer, $2 activity, $3 started_at, $4 ended_at, $5 reason, $6 the staff user entering it.
WITH a AS (SELECT * FROM activity WHERE id = $2),
day AS (SELECT ($3::timestamptz AT TIME ZONE 'Asia/Shanghai')::date AS d),
clipped AS (SELECT checkin_clipped_seconds($3, $4, a.starts_at, a.ends_at) AS s FROM a)
INSERT INTO service_record
    (volunteer, activity, area, service_date, source, status, started_at, ended_at,
     seconds, minutes, corrects, reason, entered_by, created_at)
SELECT $1, a.id, a.area, day.d, 'manual', 'pending', $3, $4,
       clipped.s, checkin_minutes(clipped.s, a.rounding_minutes, a.daily_cap_minutes),
       (SELECT r.id FROM service_record r
         WHERE r.volunteer = $1 AND r.activity = a.id AND r.service_date = day.d AND r.source = 'checkin'),
       $5, $6, now()
FROM a, day, clipped
RETURNING id
