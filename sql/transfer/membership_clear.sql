-- Empty the staging table of a membership import for the file's next chunk (import_membership, made by membership_stage).
TRUNCATE import_membership
