-- A scan over a rate limit. With $5, a phone that is an active volunteer's still passes (the answer is
-- true): junk from an address must not turn away the volunteers behind it. Anything else is refused and
-- counted in scan_refusal_tally, one row per code, client address, result and minute however many come
-- (a code that does not exist is counted under '', so made-up codes add no rows).
-- $1 code, $2 phone (normalised), $3 client address, $4 now, $5 whether known volunteers pass.
WITH known AS (
    SELECT $5::boolean AND EXISTS (SELECT 1 FROM volunteer WHERE phone = $2 AND status = 'active') AS passes
), counted AS (
    INSERT INTO scan_refusal_tally AS t (code, client, result, window_start, attempts, last_at)
    SELECT COALESCE((SELECT c.code FROM checkin_code c WHERE c.code = $1), ''), $3, 'rate_limited',
           date_trunc('minute', $4::timestamptz), 1, $4
    FROM known
    WHERE NOT known.passes
    ON CONFLICT (code, client, result, window_start)
    DO UPDATE SET attempts = t.attempts + 1, last_at = GREATEST(t.last_at, EXCLUDED.last_at)
)
SELECT passes FROM known
