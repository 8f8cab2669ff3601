-- Missing-exit policy: close every record still inside at the activity's end, flag it
-- auto_closed and leave it pending for staff. $1 = activity id. Returns the closed ids.
UPDATE service_record r
SET inside_since = NULL,
    ended_at = GREATEST(a.ends_at, r.inside_since),
    seconds = r.seconds + checkin_clipped_seconds(r.inside_since, a.ends_at, a.starts_at, a.ends_at),
    minutes = checkin_minutes(
        r.seconds + checkin_clipped_seconds(r.inside_since, a.ends_at, a.starts_at, a.ends_at),
        a.rounding_minutes, a.daily_cap_minutes),
    auto_closed = true,
    status = 'pending',
    decided_at = NULL
FROM activity a
WHERE a.id = r.activity AND r.activity = $1 AND r.inside_since IS NOT NULL
RETURNING r.id
