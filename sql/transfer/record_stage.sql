-- Staging table of a service-record import (补录); `target` the pending record a row corrects (NULL: new).
CREATE TEMP TABLE import_record (
    target integer,
    row_no integer NOT NULL,
    volunteer integer NOT NULL,
    activity integer NOT NULL,
    service_date date NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz NOT NULL
) ON COMMIT DROP
