-- Processes applying the definitions take turns: $1 is db.LockClass.DEFINITIONS.
SELECT pg_advisory_xact_lock($1, 0)
