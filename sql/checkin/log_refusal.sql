-- Log an attempt refused before it reached checkin_scan() (rate limits). Keeps no nonce,
-- so the phone's retry with the same nonce is still answered once the limit passes.
INSERT INTO scan (at, code, action, method, result, client, response)
VALUES (now(), $1, $2, 'link', $3, $4, $5::jsonb)
