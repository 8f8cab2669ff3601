-- The volunteer behind a normalised 11-digit mobile number (check-in's lookup).
SELECT v.id, v.volunteer_no, v.name, v.phone, v.status, v.gender, v.birth_date,
       v.registered_on, v.suspended_on, v.withdrawn_on, v.self_registered,
       v.area AS area_id, a.code AS area_code, a.path AS area_path
FROM volunteer v
JOIN area a ON a.id = v.area
WHERE v.phone = $1
