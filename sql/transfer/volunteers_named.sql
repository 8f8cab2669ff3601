-- The volunteers rows of a membership or service-record import name, by phone ($1) or volunteer number ($2).
WITH named AS (
    SELECT v.id FROM volunteer v JOIN unnest($1::text[]) AS k(phone) ON k.phone = v.phone
    UNION
    SELECT v.id FROM volunteer v JOIN unnest($2::text[]) AS k(no) ON k.no = v.volunteer_no
)
SELECT v.id, v.volunteer_no, v.name, v.phone, v.status, v.registered_on, a.path AS area_path
FROM volunteer v
JOIN area a ON a.id = v.area
WHERE v.id IN (SELECT id FROM named)
