-- Empty the staging table of a volunteer import for the file's next chunk (import_volunteer, made by volunteer_stage).
TRUNCATE import_volunteer
