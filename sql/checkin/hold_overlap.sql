-- One volunteer's approved time never overlaps itself: the exclusion constraint service_record_no_overlap (the
-- checkin baseline migration) refuses two approved records of the same volunteer that share an instant. Hours are
-- clipped to each record's activity, so without it the same afternoon could be credited once per record.
--
-- A check-out that the activity approves automatically (approval = 'auto', no staff decision)
-- but that overlaps an approved record of the same volunteer stays pending for staff, so the
-- phone still gets its answer instead of an error; staff decisions meet the constraint itself.
CREATE OR REPLACE FUNCTION service_record_hold_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM service_record o
        WHERE int4range(o.volunteer, o.volunteer, '[]') && int4range(NEW.volunteer, NEW.volunteer, '[]')
          AND tstzrange(o.started_at, o.ended_at) && tstzrange(NEW.started_at, NEW.ended_at)
          AND o.status = 'approved' AND o.id <> NEW.id
    ) THEN
        NEW.status := 'pending';
        NEW.decided_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER service_record_hold_overlap BEFORE UPDATE OF status ON service_record
    FOR EACH ROW
    WHEN (NEW.status = 'approved' AND OLD.status <> 'approved' AND NEW.source = 'checkin' AND NEW.decided_by IS NULL)
    EXECUTE FUNCTION service_record_hold_overlap();
