-- Register a volunteer; the unified number (ZY + 10 digits) comes from volunteer_no_seq.
INSERT INTO volunteer (
    volunteer_no, name, phone,
    id_number_cipher, id_number_hash,
    gender, birth_date, area, registered_on, status, consent_on,
    guardian_name, guardian_phone, guardian_consent_on, self_registered, created_at
)
VALUES (
    'ZY' || lpad(nextval('volunteer_no_seq')::text, 10, '0'), $1, $2,
    $3, $4,
    $5, $6, $7, $8, 'active', $9,
    $10, $11, $12, $13, now()
)
RETURNING id, volunteer_no
