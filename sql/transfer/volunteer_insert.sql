-- New volunteers of an import, numbered (ZY + 10 digits) in the order of the file's rows.
INSERT INTO volunteer (
    volunteer_no, name, phone,
    id_number_cipher, id_number_hash,
    gender, birth_date, area, registered_on, status, consent_on,
    guardian_name, guardian_phone, guardian_consent_on, self_registered, created_at
)
SELECT 'ZY' || lpad(nextval('volunteer_no_seq')::text, 10, '0'), s.name, s.phone,
       s.id_cipher, s.id_hash,
       s.gender, s.birth_date, s.area, s.registered_on, 'active', s.consent_on,
       s.guardian_name, s.guardian_phone, s.guardian_consent_on, false, now()
FROM (SELECT * FROM import_volunteer WHERE target IS NULL ORDER BY row_no) AS s
