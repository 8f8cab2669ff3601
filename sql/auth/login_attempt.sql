-- Count a login attempt for username $1 from address $2 unless a budget is spent. One row: the new
-- attempt's id and a NULL refusal, or a NULL id and the budget that refused it:
--   'pair'    $3 attempts of this username from this address within $5 seconds (a success clears them);
--   'address' $4 attempts from this address within $5 seconds, at any usernames;
--   'account' $6 attempts of this username within $7 seconds from addresses not known for it, past
--             which one attempt in every $8 seconds (a slow-down, not a lockout).
-- An address is known for a username for $9 seconds after a successful login from it; from there
-- only the pair's budget applies. The caller holds the advisory locks of both keys, so the counts
-- include every earlier attempt. A hundred expired attempts and known addresses go on the way out;
-- rows another call holds are left for later.
WITH known AS (
    SELECT EXISTS (
        SELECT FROM login_known_address k
        WHERE k.username = $1 AND k.address = $2 AND k.last_login_at > now() - make_interval(secs => $9)
    ) AS known
), spent AS (
    SELECT
        (SELECT count(*) FROM login_attempt l
         WHERE l.username = $1 AND l.address = $2 AND NOT l.cleared
           AND l.at > now() - make_interval(secs => $5)) >= $3 AS pair,
        (SELECT count(*) FROM login_attempt l
         WHERE l.address = $2 AND l.at > now() - make_interval(secs => $5)) >= $4 AS address,
        (SELECT count(*) FROM login_attempt l
         WHERE l.username = $1 AND NOT l.known_address AND l.at > now() - make_interval(secs => $7)) >= $6
        AND EXISTS (SELECT FROM login_attempt l
                    WHERE l.username = $1 AND NOT l.known_address
                      AND l.at > now() - make_interval(secs => $8)) AS account
), verdict AS (
    SELECT known.known, CASE
        WHEN spent.pair THEN 'pair'
        WHEN spent.address AND NOT known.known THEN 'address'
        WHEN spent.account AND NOT known.known THEN 'account'
    END AS refusal
    FROM known, spent
), expired AS (
    DELETE FROM login_attempt WHERE id IN (
        SELECT id FROM login_attempt WHERE at < now() - make_interval(secs => greatest($5, $7, $8))
        ORDER BY at LIMIT 100 FOR UPDATE SKIP LOCKED
    )
), forgotten AS (
    DELETE FROM login_known_address WHERE id IN (
        SELECT id FROM login_known_address WHERE last_login_at < now() - make_interval(secs => $9)
        ORDER BY last_login_at LIMIT 100 FOR UPDATE SKIP LOCKED
    )
), counted AS (
    INSERT INTO login_attempt (username, address, known_address)
    SELECT $1, $2, known FROM verdict WHERE refusal IS NULL
    RETURNING id
)
SELECT (SELECT id FROM counted) AS id, refusal FROM verdict
