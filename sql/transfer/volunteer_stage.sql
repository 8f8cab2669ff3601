-- Staging table of a volunteer import: final column values, `target` the volunteer a row updates (NULL: new).
CREATE TEMP TABLE import_volunteer (
    target integer,
    row_no integer NOT NULL,
    name text NOT NULL,
    phone text NOT NULL,
    id_cipher bytea,
    id_hash text,
    gender text,
    birth_date date,
    area integer NOT NULL,
    registered_on date NOT NULL,
    consent_on date NOT NULL,
    guardian_name text,
    guardian_phone text,
    guardian_consent_on date
) ON COMMIT DROP
