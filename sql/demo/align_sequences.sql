-- After loading rows with explicit ids: the next id of each table follows the largest one,
-- and the next volunteer number follows the last one handed out ($1).
SELECT setval(pg_get_serial_sequence('area', 'id'), (SELECT max(id) FROM area)),
       setval(pg_get_serial_sequence('venue', 'id'), (SELECT max(id) FROM venue)),
       setval(pg_get_serial_sequence('team', 'id'), (SELECT max(id) FROM team)),
       setval(pg_get_serial_sequence('volunteer', 'id'), (SELECT max(id) FROM volunteer)),
       setval(pg_get_serial_sequence('activity', 'id'), (SELECT max(id) FROM activity)),
       setval(pg_get_serial_sequence('service_record', 'id'), (SELECT max(id) FROM service_record)),
       setval('volunteer_no_seq', $1)
