-- The workbench home: service records of the caller's subtree ($1) waiting for a decision, and how many
-- of them are overdue: served before $2, the first day still inside the 10 working days the national rules
-- for volunteer records (2020) allow for recording service.
SELECT count(*) AS pending, count(*) FILTER (WHERE r.service_date < $2) AS overdue
FROM service_record r
JOIN area ar ON ar.id = r.area
WHERE ar.path LIKE $1 AND r.status = 'pending'
