-- The activity's live check-in code, issuing $2 as its code if it has none (publishing: a published activity
-- always has a live code). Never revokes one. The caller holds the activity's row. $1 = activity id.
WITH live AS (
    SELECT code FROM checkin_code WHERE activity = $1 AND revoked_at IS NULL
), issued AS (
    INSERT INTO checkin_code (activity, code, created_at)
    SELECT $1, $2, now() WHERE NOT EXISTS (SELECT 1 FROM live)
    RETURNING code
)
SELECT code FROM issued
UNION ALL
SELECT code FROM live
