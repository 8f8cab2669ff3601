-- The server a backup talks to: its version (as a number and as text) and the database's name.
SELECT current_setting('server_version_num') AS version_num,
       current_setting('server_version') AS version,
       current_database() AS name
