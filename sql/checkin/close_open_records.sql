-- Missing-exit policy: close every record still inside, flag it auto_closed and leave it pending for staff.
-- A record is closed at the activity's end, or at the close itself ($2) when the activity is closed before
-- its end (nobody is credited with time that has not happened); never before the volunteer came in.
-- $1 = activity id, $2 = the moment of closing. Returns the closed ids.
UPDATE service_record r
SET inside_since = NULL,
    ended_at = GREATEST(LEAST(a.ends_at, $2::timestamptz), r.inside_since),
    seconds = r.seconds + checkin_clipped_seconds(r.inside_since, LEAST(a.ends_at, $2::timestamptz), a.starts_at, a.ends_at),
    minutes = checkin_minutes(
        r.seconds + checkin_clipped_seconds(r.inside_since, LEAST(a.ends_at, $2::timestamptz), a.starts_at, a.ends_at),
        a.rounding_minutes, a.daily_cap_minutes),
    auto_closed = true,
    status = 'pending',
    decided_at = NULL
FROM activity a
WHERE a.id = r.activity AND r.activity = $1 AND r.inside_since IS NOT NULL
RETURNING r.id
