-- Empty the staging table of a record import for the file's next chunk (import_record, made by record_stage).
TRUNCATE import_record
