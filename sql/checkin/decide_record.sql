-- Approve or reject a service record. $1 = record id, $2 = status, $3 = deciding user, $4 = reason (NULL keeps it).
UPDATE service_record SET status = $2, decided_by = $3, decided_at = now(), reason = COALESCE($4, reason) WHERE id = $1
