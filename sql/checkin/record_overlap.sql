-- One volunteer's approved time never overlaps itself: two approved records of the same volunteer,
-- from any activity and any source, may not share an instant of [started_at, ended_at) (a record
-- still open, ended_at NULL, runs on without end). Hours are clipped to each record's activity, so
-- without this rule the same afternoon could be credited once per record (issue 10, item 7).
--
-- The volunteer is compared as the one-point range int4range(volunteer, volunteer, '[]'), so the
-- GiST index needs no extension (btree_gist would add its functions to the public schema and need
-- the right to create extensions).

-- Approved records that already overlap an approved record of the same volunteer starting earlier
-- go back to pending for staff to decide again, with the reason written on the record and in the
-- audit trail. One sort per volunteer: a record overlaps an earlier-starting one when it starts
-- before the latest end seen so far (of a chain A-B-C where only neighbours overlap, C is reopened
-- too; staff can approve it again once B is settled). Empty ranges (started_at = ended_at) overlap nothing.
-- (Skipped on a fresh database, which has nothing to reopen and may build this app before the audit trail.)
DO $$
BEGIN
    IF to_regclass('audit_entry') IS NOT NULL AND EXISTS (SELECT 1 FROM service_record WHERE status = 'approved') THEN
        WITH ordered AS (
            SELECT id, area, started_at,
                   max(COALESCE(ended_at, 'infinity')) OVER (
                       PARTITION BY volunteer ORDER BY started_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                   ) AS latest_end
            FROM service_record
            WHERE status = 'approved' AND (ended_at IS NULL OR ended_at > started_at)
        ),
        reopened AS (
            UPDATE service_record r
            SET status = 'pending', decided_by = NULL, decided_at = NULL,
                reason = concat_ws('；', r.reason, '与该志愿者另一条已通过的记录时间重叠，退回待审')
            FROM ordered o
            WHERE o.id = r.id AND o.started_at < o.latest_end
            RETURNING r.id, r.area, r.reason
        )
        INSERT INTO audit_entry (username, action, entity, entity_id, area, before, after)
        SELECT 'system', 'reopen', 'service_record', reopened.id::text, reopened.area,
               jsonb_build_object('status', 'approved'),
               jsonb_build_object('status', 'pending', 'reason', reopened.reason)
        FROM reopened;
    END IF;
END;
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'service_record_no_overlap') THEN
        ALTER TABLE service_record ADD CONSTRAINT service_record_no_overlap EXCLUDE USING gist (
            int4range(volunteer, volunteer, '[]') WITH &&,
            tstzrange(started_at, ended_at) WITH &&
        ) WHERE (status = 'approved');
    END IF;
END;
$$;

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
