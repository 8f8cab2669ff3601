-- What makes a database unfit for the demo district: any area or any staff login.
SELECT (SELECT count(*) FROM area) AS areas, (SELECT count(*) FROM staff_user) AS staff_users
