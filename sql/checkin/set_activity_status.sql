-- Set an activity's status (closing it). $1 = activity id, $2 = status.
UPDATE activity SET status = $2 WHERE id = $1
