-- Take the advisory locks of a login attempt, the username's ($1 class, $2 name) before the address's
-- ($3 class, $4 address), so that attempts at one username or from one address count in turn.
SELECT pg_advisory_xact_lock($1, hashtext($2)), pg_advisory_xact_lock($3, hashtext($4))
