-- Count a login attempt for username $1 from address $2, unless the username already has $3
-- uncleared attempts or the address $4 attempts in the last $5 seconds: the new attempt's id, or
-- no row. The caller holds the advisory locks of both keys, so the counts include every earlier
-- attempt. A hundred expired attempts go on the way out; rows another call holds are left for later.
WITH attempt (username, address, since) AS (
    SELECT $1::varchar, $2::varchar, now() - make_interval(secs => $5)
), expired AS (
    DELETE FROM login_attempt WHERE id IN (
        SELECT id FROM login_attempt, attempt WHERE at < attempt.since ORDER BY at LIMIT 100 FOR UPDATE SKIP LOCKED
    )
)
INSERT INTO login_attempt (username, address)
SELECT username, address FROM attempt
WHERE (SELECT count(*) FROM login_attempt l
       WHERE l.username = attempt.username AND NOT l.cleared AND l.at > attempt.since) < $3
  AND (SELECT count(*) FROM login_attempt l WHERE l.address = attempt.address AND l.at > attempt.since) < $4
RETURNING id
