-- One staff user's exact look-ups take turns ($1 the lock class, $2 the user), until the transaction ends.
SELECT pg_advisory_xact_lock($1, $2)
