-- Pending manual records an import corrects: new times, hours recomputed by the same rules. $1 the reason,
-- $2 the staff user importing (NULL: the command line), who has now entered what the record says.
UPDATE service_record r
SET started_at = s.started_at,
    ended_at = s.ended_at,
    seconds = c.seconds,
    minutes = checkin_minutes(c.seconds, a.rounding_minutes, a.daily_cap_minutes),
    reason = $1,
    entered_by = $2
FROM import_record s
JOIN activity a ON a.id = s.activity
CROSS JOIN LATERAL (SELECT checkin_clipped_seconds(s.started_at, s.ended_at, a.starts_at, a.ends_at) AS seconds) AS c
WHERE r.id = s.target
