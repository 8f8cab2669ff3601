-- Staging table of a membership import; `target` the membership a row updates (NULL: new).
CREATE TEMP TABLE import_membership (
    target integer,
    row_no integer NOT NULL,
    team integer NOT NULL,
    volunteer integer NOT NULL,
    role text NOT NULL,
    joined_on date NOT NULL,
    left_on date
) ON COMMIT DROP
