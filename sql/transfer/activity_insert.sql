-- New activities of an import, with the API's default check-in settings:
-- $1 opens_before_minutes, $2 closes_after_minutes, $3 rounding_minutes, $4 daily_cap_minutes,
-- $5 reentry_allowed, $6 approval.
INSERT INTO activity (
    title, category, area, venue, starts_at, ends_at, capacity, status,
    opens_before_minutes, closes_after_minutes, rounding_minutes, daily_cap_minutes,
    reentry_allowed, approval, created_at
)
SELECT s.title, s.category, s.area, s.venue, s.starts_at, s.ends_at, s.capacity, s.status,
       $1, $2, $3, $4, $5, $6, now()
FROM (SELECT * FROM import_activity WHERE target IS NULL ORDER BY row_no) AS s
