-- The demo's headline figures as of $1 by the plain definitions of docs/architecture.md: registered =
-- registered_on <= as_of and not withdrawn by then; active = registered with an approved
-- record of more than 0 minutes in the 365 days ending at as_of.
WITH registered AS (
    SELECT id FROM volunteer
    WHERE registered_on <= $1::date AND (withdrawn_on IS NULL OR withdrawn_on > $1::date)
),
records AS (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE status = 'approved') AS approved,
           count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'rejected') AS rejected,
           count(*) FILTER (WHERE source = 'manual') AS manual,
           count(*) FILTER (WHERE auto_closed) AS auto_closed,
           coalesce(sum(minutes) FILTER (
               WHERE status = 'approved' AND service_date BETWEEN $1::date - 364 AND $1::date), 0) AS minutes_in_year
    FROM service_record
)
SELECT
    (SELECT count(*) FROM registered) AS registered,
    (SELECT count(*) FROM volunteer WHERE withdrawn_on <= $1::date) AS withdrawn,
    (SELECT count(*) FROM registered r
      WHERE r.id IN (SELECT s.volunteer FROM service_record s
                     WHERE s.status = 'approved' AND s.minutes > 0
                       AND s.service_date BETWEEN $1::date - 364 AND $1::date)) AS active,
    (SELECT p.resident_population FROM area_population p JOIN area a ON a.id = p.area
      WHERE a.parent IS NULL AND p.year <= extract(year FROM $1::date)
      ORDER BY p.year DESC LIMIT 1) AS population,
    (SELECT count(*) FROM area WHERE level = 'street') AS streets,
    (SELECT count(*) FROM area WHERE level = 'community') AS communities,
    (SELECT count(*) FROM team) AS teams,
    (SELECT count(*) FROM venue) AS venues,
    (SELECT count(*) FROM activity) AS activities,
    (SELECT count(*) FROM activity
      WHERE (starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1::date - 364 AND $1::date
        AND status = 'completed') AS activities_in_year,
    (SELECT count(*) FROM scan) AS scans,
    records.*
FROM records
