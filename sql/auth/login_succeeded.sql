-- Username $1 logged in from address $2 with attempt $3, in one statement: the attempt is taken back,
-- the pair's earlier failures are cleared (the owner's own typos), and the address becomes (or stays)
-- known for the username. The username's failures from other addresses, and the address's failures
-- at other usernames, stay counted: a success does not refill a guesser's budget.
WITH taken AS (
    DELETE FROM login_attempt WHERE id = $3
), cleared AS (
    UPDATE login_attempt SET cleared = true
    WHERE username = $1 AND address = $2 AND NOT cleared AND id <> $3
)
INSERT INTO login_known_address (username, address, last_login_at)
VALUES ($1, $2, now())
ON CONFLICT (username, address) DO UPDATE SET last_login_at = excluded.last_login_at
