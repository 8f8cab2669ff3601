-- One scan attempt: see checkin_scan() in sql/checkin/functions.sql.
SELECT checkin_scan($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
