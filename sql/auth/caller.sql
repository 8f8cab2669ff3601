-- The staff user behind a live bearer token ($1 = SHA-256 of the token, hex).
SELECT u.id, u.username, u.role, u.area AS area_id, a.code AS area_code, a.path AS area_path
FROM staff_session s
JOIN staff_user u ON u.id = s."user"
LEFT JOIN area a ON a.id = u.area
WHERE s.token_hash = $1
  AND s.revoked_at IS NULL
  AND s.expires_at > now()
  AND u.is_active
