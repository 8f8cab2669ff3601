-- Empty the staging table of a activity import for the file's next chunk (import_activity, made by activity_stage).
TRUNCATE import_activity
