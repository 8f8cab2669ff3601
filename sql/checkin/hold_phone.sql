-- Registrations on the check-in page for one phone take turns until the transaction ends. $1 = phone.
SELECT pg_advisory_xact_lock(hashtextextended($1, 8))
