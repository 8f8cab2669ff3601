-- Revoke the activity's live code (if any) and issue $2 in its place. $1 = activity id.
WITH revoked AS (
    UPDATE checkin_code SET revoked_at = now() WHERE activity = $1 AND revoked_at IS NULL RETURNING id
)
INSERT INTO checkin_code (activity, code, created_at)
SELECT $1, $2, now() FROM (SELECT count(*) FROM revoked) AS done
RETURNING code
