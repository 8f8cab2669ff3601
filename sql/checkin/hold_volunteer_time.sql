-- Wait for, then hold until the transaction ends, the right to change one volunteer's service time.
-- $1 = lock class (db.LockClass.VOLUNTEER_TIME), $2 = volunteer id.
SELECT pg_advisory_xact_lock($1, $2)
