-- Writes only mark volunteers dirty; stats_refresh() recomputes them before figures are read.
-- Service records matter when they are (or were) approved; volunteers when the fields the
-- definitions read change (area, registered_on, withdrawn_on).
--
-- A mark that finds the volunteer already marked still updates (and so locks) that row until the
-- writer commits: stats_refresh() claims rows FOR UPDATE SKIP LOCKED, so it cannot take the mark
-- and recompute the volunteer from a snapshot that misses this write, leaving it unmarked for
-- good. Each trigger marks in one statement, in volunteer order, so two bulk writes do not
-- deadlock on their marks (writes of several statements still can: they answer 503 try_again).

CREATE OR REPLACE FUNCTION stats_mark_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stats_dirty (volunteer)
        SELECT DISTINCT volunteer FROM new_rows WHERE status = 'approved' ORDER BY volunteer
        ON CONFLICT (volunteer) DO UPDATE SET volunteer = EXCLUDED.volunteer;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO stats_dirty (volunteer)
        SELECT volunteer FROM new_rows WHERE status = 'approved'
        UNION SELECT volunteer FROM old_rows WHERE status = 'approved'
        ORDER BY 1
        ON CONFLICT (volunteer) DO UPDATE SET volunteer = EXCLUDED.volunteer;
    ELSE
        INSERT INTO stats_dirty (volunteer)
        SELECT DISTINCT volunteer FROM old_rows WHERE status = 'approved' ORDER BY volunteer
        ON CONFLICT (volunteer) DO UPDATE SET volunteer = EXCLUDED.volunteer;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION stats_mark_volunteers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stats_dirty (volunteer) SELECT id FROM new_rows ORDER BY id
        ON CONFLICT (volunteer) DO UPDATE SET volunteer = EXCLUDED.volunteer;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO stats_dirty (volunteer)
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.area, n.registered_on, n.withdrawn_on) IS DISTINCT FROM (o.area, o.registered_on, o.withdrawn_on)
        ORDER BY n.id
        ON CONFLICT (volunteer) DO UPDATE SET volunteer = EXCLUDED.volunteer;
    ELSE
        INSERT INTO stats_dirty (volunteer) SELECT id FROM old_rows ORDER BY id
        ON CONFLICT (volunteer) DO UPDATE SET volunteer = EXCLUDED.volunteer;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER stats_records_inserted AFTER INSERT ON service_record
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_records();
CREATE OR REPLACE TRIGGER stats_records_updated AFTER UPDATE ON service_record
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_records();
CREATE OR REPLACE TRIGGER stats_records_deleted AFTER DELETE ON service_record
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_records();

CREATE OR REPLACE TRIGGER stats_volunteers_inserted AFTER INSERT ON volunteer
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_volunteers();
CREATE OR REPLACE TRIGGER stats_volunteers_updated AFTER UPDATE ON volunteer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_volunteers();
CREATE OR REPLACE TRIGGER stats_volunteers_deleted AFTER DELETE ON volunteer
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_volunteers();
