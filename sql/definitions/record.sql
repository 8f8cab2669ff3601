-- Definition $1 was applied with the text whose SHA-256 is $2.
INSERT INTO schema_definition (name, sha256) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()
