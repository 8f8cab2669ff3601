-- The check-in record of a volunteer at an activity on one service day, which a manual entry corrects.
-- $1 = volunteer id, $2 = activity id, $3 = service date.
SELECT id FROM service_record WHERE volunteer = $1 AND activity = $2 AND service_date = $3 AND source = 'checkin'
