-- Stored volunteers an import's rows name by phone, volunteer number or ID-number hash, locked until commit.
-- Joins on unnest, not `= ANY`: within an import the table grows past what its statistics say,
-- and a sequential scan comparing each row with a 10,000-element array would crawl.
WITH named AS (
    SELECT v.id FROM volunteer v JOIN unnest($1::text[]) AS k(phone) ON k.phone = v.phone
    UNION
    SELECT v.id FROM volunteer v JOIN unnest($2::text[]) AS k(no) ON k.no = v.volunteer_no
    UNION
    SELECT v.id FROM volunteer v JOIN unnest($3::text[]) AS k(hash) ON k.hash = v.id_number_hash
)
SELECT v.id, v.volunteer_no, v.name, v.phone, v.id_number_hash, v.gender, v.birth_date,
       v.area AS area_id, a.path AS area_path, v.registered_on, v.status,
       v.withdrawn_on, v.guardian_name, v.guardian_phone, v.guardian_consent_on
FROM volunteer v
JOIN area a ON a.id = v.area
WHERE v.id IN (SELECT id FROM named)
FOR UPDATE OF v
