-- What makes a database unfit for the demo district: any area, or any staff login but a system
-- administrator's (the one `serve` creates on an empty database has no area).
SELECT (SELECT count(*) FROM area) AS areas, (SELECT count(*) FROM staff_user WHERE area IS NOT NULL) AS staff_users
