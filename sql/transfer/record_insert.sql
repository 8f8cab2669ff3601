-- New manual records of an import, pending, with hours by the check-in rules (clip to the activity,
-- round down, cap) and a link to the day's check-in record they stand beside, as staff entries get.
-- $1 the reason ("导入：<file>"), $2 the staff user importing (NULL: the command line).
INSERT INTO service_record
    (volunteer, activity, area, service_date, source, status, started_at, ended_at,
     seconds, minutes, corrects, reason, entered_by, created_at)
SELECT s.volunteer, a.id, a.area, s.service_date, 'manual', 'pending', s.started_at, s.ended_at,
       c.seconds, checkin_minutes(c.seconds, a.rounding_minutes, a.daily_cap_minutes),
       (SELECT r.id FROM service_record r
         WHERE r.volunteer = s.volunteer AND r.activity = a.id AND r.service_date = s.service_date
           AND r.source = 'checkin'),
       $1, $2, now()
FROM (SELECT * FROM import_record WHERE target IS NULL ORDER BY row_no) AS s
JOIN activity a ON a.id = s.activity
CROSS JOIN LATERAL (SELECT checkin_clipped_seconds(s.started_at, s.ended_at, a.starts_at, a.ends_at) AS seconds) AS c
