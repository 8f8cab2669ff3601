-- A scan refused by a rate limit, counted in scan_refusal_tally: one row per code, client address,
-- result and minute however many come (a code that does not exist is counted under '', so made-up
-- codes add no rows). $1 code, $2 client address, $3 now.
INSERT INTO scan_refusal_tally AS t (code, client, result, window_start, attempts, last_at)
VALUES (COALESCE((SELECT c.code FROM checkin_code c WHERE c.code = $1), ''), $2, 'rate_limited',
        date_trunc('minute', $3::timestamptz), 1, $3)
ON CONFLICT (code, client, result, window_start)
DO UPDATE SET attempts = t.attempts + 1, last_at = GREATEST(t.last_at, EXCLUDED.last_at)
