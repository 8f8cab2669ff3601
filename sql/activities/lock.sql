-- Lock one activity until the transaction ends (no row: it does not exist).
SELECT id FROM activity WHERE id = $1 FOR UPDATE
