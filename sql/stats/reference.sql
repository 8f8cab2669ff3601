-- Reference path: the same four figures straight from the records (COUNT DISTINCT), for any
-- parameters. Used when parameters differ from the precomputed default, by the property test,
-- and as the benchmark's baseline.
-- $1 LIKE prefix of the area's path, $2 as_of, $3 first day of the window,
-- $4 minimum minutes of a record that makes its volunteer active, $5 text[] sources.
WITH registered AS (
    SELECT v.id FROM volunteer v JOIN area a ON a.id = v.area
    WHERE a.path LIKE $1 AND v.registered_on <= $2 AND (v.withdrawn_on IS NULL OR v.withdrawn_on > $2)
)
SELECT
    (SELECT count(*) FROM registered)::bigint AS registered,
    (SELECT count(DISTINCT r.volunteer) FROM service_record r JOIN registered g ON g.id = r.volunteer
      WHERE r.status = 'approved' AND r.service_date BETWEEN $3 AND $2
        AND r.minutes > 0 AND r.minutes >= $4 AND r.source = ANY($5))::bigint AS active,
    (SELECT COALESCE(sum(r.minutes), 0) FROM service_record r
      JOIN volunteer v ON v.id = r.volunteer JOIN area a ON a.id = v.area
      WHERE a.path LIKE $1 AND r.status = 'approved' AND r.service_date BETWEEN $3 AND $2
        AND r.source = ANY($5))::bigint AS minutes,
    (SELECT count(*) FROM service_record r JOIN area a ON a.id = r.area
      WHERE a.path LIKE $1 AND r.status = 'approved' AND r.service_date BETWEEN $3 AND $2
        AND r.source = ANY($5))::bigint AS participants
