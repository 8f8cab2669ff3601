-- Count a login attempt for username $1 from address $2, unless one of them already has
-- $3 (username) or $4 (address) attempts in the last $5 seconds: the new attempt's id, or no row.
-- The caller holds the advisory locks of both keys, so the counts include every earlier attempt.
WITH attempt (username, address, since) AS (
    SELECT $1::varchar, $2::varchar, now() - make_interval(secs => $5)
)
INSERT INTO login_attempt (username, address)
SELECT username, address FROM attempt
WHERE (SELECT count(*) FROM login_attempt l WHERE l.username = attempt.username AND l.at > attempt.since) < $3
  AND (SELECT count(*) FROM login_attempt l WHERE l.address = attempt.address AND l.at > attempt.since) < $4
RETURNING id
