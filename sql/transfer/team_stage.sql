-- Staging table of a team import: final values; `target` the team a row updates (NULL: new).
CREATE TEMP TABLE import_team (
    target integer,
    row_no integer NOT NULL,
    name text NOT NULL,
    area integer NOT NULL,
    sponsor text NOT NULL,
    founded_on date,
    categories text[] NOT NULL
) ON COMMIT DROP
