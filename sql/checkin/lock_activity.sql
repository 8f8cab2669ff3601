-- Hold the activity's row until the transaction ends, so code rotations take turns. $1 = activity id.
SELECT 1 FROM activity WHERE id = $1 FOR UPDATE
