-- The exact look-ups (audit actions $2) staff user $1 made in the last hour; take lookup_lock first.
SELECT count(*) FROM audit_entry WHERE "user" = $1 AND action = ANY($2::text[]) AND at > now() - interval '1 hour'
