-- The first record of volunteer $1 whose [started_at, ended_at) overlaps [$2, $3), other than the
-- ids in $4: an approved one (through the exclusion constraint's index, service_record_no_overlap),
-- and when $5 is true also a pending one (through the per-source indexes that lead with volunteer).
-- A record still open (ended_at NULL) runs on without end.
SELECT id, activity, status, started_at, ended_at
FROM (
    SELECT r.id, r.activity, r.status, r.started_at, r.ended_at
    FROM service_record r
    WHERE int4range(r.volunteer, r.volunteer, '[]') && int4range($1, $1, '[]')
      AND tstzrange(r.started_at, r.ended_at) && tstzrange($2, $3)
      AND r.status = 'approved'
      AND r.id <> ALL($4::int[])
    UNION ALL
    SELECT r.id, r.activity, r.status, r.started_at, r.ended_at
    FROM service_record r
    WHERE $5::boolean
      AND r.volunteer = $1
      AND (r.source = 'checkin' OR (r.source = 'manual' AND r.status <> 'rejected'))
      AND r.status = 'pending'
      AND tstzrange(r.started_at, r.ended_at) && tstzrange($2, $3)
      AND r.id <> ALL($4::int[])
) AS found
ORDER BY started_at, id
LIMIT 1
