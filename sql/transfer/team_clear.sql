-- Empty the staging table of a team import for the file's next chunk (import_team, made by team_stage).
TRUNCATE import_team
