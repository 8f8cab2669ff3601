-- Staging table of an activity import; `target` the activity a row updates (NULL: new).
-- `set_teams`: the row names its organising teams, which then replace the stored ones.
CREATE TEMP TABLE import_activity (
    target integer,
    row_no integer NOT NULL,
    title text NOT NULL,
    category integer NOT NULL,
    area integer NOT NULL,
    venue integer,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    capacity integer,
    status text NOT NULL,
    team_ids integer[] NOT NULL,
    set_teams boolean NOT NULL
) ON COMMIT DROP
