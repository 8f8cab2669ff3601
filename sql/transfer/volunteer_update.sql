-- Changed volunteers of an import: what the API may change (registration and consent dates stay).
-- A kept ID number comes with its stored hash but no new ciphertext.
UPDATE volunteer v
SET name = s.name,
    phone = s.phone,
    id_number_cipher = COALESCE(s.id_cipher, v.id_number_cipher),
    id_number_hash = s.id_hash,
    gender = s.gender,
    birth_date = s.birth_date,
    area = s.area,
    guardian_name = s.guardian_name,
    guardian_phone = s.guardian_phone,
    guardian_consent_on = s.guardian_consent_on
FROM import_volunteer s
WHERE v.id = s.target
