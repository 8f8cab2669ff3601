-- Live (not rejected) manual records for the (volunteer, activity, day) an import names, locked until commit.
SELECT r.id, r.volunteer, r.activity, r.service_date, r.status, r.started_at, r.ended_at
FROM service_record r
JOIN unnest($1::int[], $2::int[], $3::date[]) AS k(volunteer, activity, service_date)
  ON k.volunteer = r.volunteer AND k.activity = r.activity AND k.service_date = r.service_date
WHERE r.source = 'manual' AND r.status <> 'rejected'
FOR UPDATE OF r
