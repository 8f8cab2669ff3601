-- Hold one user's "new activity" form until the transaction ends, so a form sent twice at once is created once
-- (the second waits, then finds the first: web/activity_twin). $1 = lock class
-- (db.LockClass.NEW_ACTIVITY_FORM), $2 = staff user id.
SELECT pg_advisory_xact_lock($1, $2)
