-- stats_refresh(): recompute the contributions of dirty volunteers, set-based, in batches of
-- p_batch volunteers, until none is left or p_batches batches are done (NULL: no limit).
-- Each volunteer's old contribution is subtracted from the per-area tables and the new one
-- added, so the per-area tables always equal the sum over volunteers. Refreshers take turns
-- (a transaction-level advisory lock): two at once add to the same per-area rows in different
-- orders and deadlock, and a caller must not return while another transaction still holds
-- dirty volunteers it claimed, or the figures read next would miss writes already committed.
-- A caller waits at most 10 s for its turn, then fails with lock_not_available (55P03).
CREATE OR REPLACE FUNCTION stats_refresh(p_batch integer DEFAULT 50000, p_batches integer DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    total integer := 0;
    batches integer := 0;
    previous_timeout text := current_setting('lock_timeout');
BEGIN
    IF NOT EXISTS (SELECT FROM stats_dirty) THEN  -- the usual case: nothing to wait for
        RETURN 0;
    END IF;
    PERFORM set_config('lock_timeout', '10s', true);
    PERFORM pg_advisory_xact_lock(3, 0);  -- class 3: the statistics refresh (1 and 2: login throttling)
    PERFORM set_config('lock_timeout', previous_timeout, true);
    CREATE TEMP TABLE IF NOT EXISTS stats_batch (volunteer integer PRIMARY KEY) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS stats_day_change
        (area integer, place integer, day date, source text, minutes bigint, records integer) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS stats_delta_change
        (kind text, area integer, day date, delta integer) ON COMMIT DELETE ROWS;
    LOOP
        TRUNCATE stats_batch;
        WITH claimed AS MATERIALIZED (
            SELECT id FROM stats_dirty ORDER BY id LIMIT p_batch FOR UPDATE SKIP LOCKED
        ), taken AS (
            DELETE FROM stats_dirty d USING claimed c WHERE d.id = c.id RETURNING d.volunteer
        )
        INSERT INTO stats_batch SELECT DISTINCT volunteer FROM taken;
        GET DIAGNOSTICS n = ROW_COUNT;
        EXIT WHEN n = 0;
        total := total + n;
        ANALYZE stats_batch;
        IF n > 10000 THEN  -- a bulk rebuild: let the sorts and hashes stay in memory
            PERFORM set_config('work_mem', '256MB', true);
        END IF;
        PERFORM stats_refresh_batch();
        batches := batches + 1;
        EXIT WHEN batches = p_batches;
    END LOOP;
    RETURN total;
END;
$$;

-- Recompute the contributions of the volunteers in the temp table stats_batch.
CREATE OR REPLACE FUNCTION stats_refresh_batch() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- 1. registration: +1 on registered_on, -1 on withdrawn_on
    WITH old AS (
        DELETE FROM stats_volunteer s USING stats_batch b WHERE s.volunteer = b.volunteer
        RETURNING s.area, s.registered_on, s.withdrawn_on
    ), fresh AS (
        INSERT INTO stats_volunteer (volunteer, area, registered_on, withdrawn_on)
        SELECT v.id, v.area, v.registered_on, v.withdrawn_on FROM volunteer v JOIN stats_batch b ON b.volunteer = v.id
        RETURNING area, registered_on, withdrawn_on
    ), changes AS (
        SELECT area, registered_on AS day, -1 AS delta FROM old
        UNION ALL SELECT area, withdrawn_on, 1 FROM old WHERE withdrawn_on IS NOT NULL
        UNION ALL SELECT area, registered_on, 1 FROM fresh
        UNION ALL SELECT area, withdrawn_on, -1 FROM fresh WHERE withdrawn_on IS NOT NULL
    )
    INSERT INTO stats_delta_change SELECT 'registered', area, day, delta FROM changes;

    -- 2. approved minutes and records per day, by residence area and by activity area
    TRUNCATE stats_day_change;
    WITH old AS (
        DELETE FROM stats_volunteer_day s USING stats_batch b WHERE s.volunteer = b.volunteer
        RETURNING s.area, s.place, s.day, s.source, s.minutes, s.records
    ), fresh AS (
        INSERT INTO stats_volunteer_day (volunteer, area, place, day, source, minutes, records)
        SELECT r.volunteer, v.area, r.area, r.service_date, r.source, sum(r.minutes), count(*)
        FROM service_record r
        JOIN stats_batch b ON b.volunteer = r.volunteer
        JOIN volunteer v ON v.id = r.volunteer
        WHERE r.status = 'approved'
        GROUP BY r.volunteer, v.area, r.area, r.service_date, r.source
        RETURNING area, place, day, source, minutes, records
    )
    INSERT INTO stats_day_change
    SELECT area, place, day, source, -minutes, -records FROM old
    UNION ALL SELECT area, place, day, source, minutes, records FROM fresh;

    INSERT INTO stats_area_day (area, day, source, minutes, records)
    SELECT area, day, source, sum(minutes), sum(records) FROM stats_day_change GROUP BY area, day, source
    ON CONFLICT (area, day, source) DO UPDATE
        SET minutes = stats_area_day.minutes + EXCLUDED.minutes, records = stats_area_day.records + EXCLUDED.records;
    INSERT INTO stats_place_day (area, day, source, minutes, records)
    SELECT place, day, source, sum(minutes), sum(records) FROM stats_day_change GROUP BY place, day, source
    ON CONFLICT (area, day, source) DO UPDATE
        SET minutes = stats_place_day.minutes + EXCLUDED.minutes, records = stats_place_day.records + EXCLUDED.records;
    INSERT INTO stats_area_month (area, month, source, minutes, records)
    SELECT area, date_trunc('month', day)::date, source, sum(minutes), sum(records) FROM stats_day_change
    GROUP BY 1, 2, 3
    ON CONFLICT (area, month, source) DO UPDATE
        SET minutes = stats_area_month.minutes + EXCLUDED.minutes, records = stats_area_month.records + EXCLUDED.records;
    INSERT INTO stats_place_month (area, month, source, minutes, records)
    SELECT place, date_trunc('month', day)::date, source, sum(minutes), sum(records) FROM stats_day_change
    GROUP BY 1, 2, 3
    ON CONFLICT (area, month, source) DO UPDATE
        SET minutes = stats_place_month.minutes + EXCLUDED.minutes, records = stats_place_month.records + EXCLUDED.records;

    -- 3. active (default definition: an approved day with minutes > 0 within the 365 days
    --    ending at as_of, while registered): each service day d covers [d, d + 364]; merge
    --    overlapping or touching covers into islands, clip to the registration period.
    WITH old AS (
        DELETE FROM stats_active_interval s USING stats_batch b WHERE s.volunteer = b.volunteer
        RETURNING s.area, s.starts, s.ends
    ), days AS (
        SELECT d.volunteer, d.day, lag(d.day) OVER (PARTITION BY d.volunteer ORDER BY d.day) AS previous
        FROM (SELECT s.volunteer, s.day FROM stats_volunteer_day s JOIN stats_batch b ON b.volunteer = s.volunteer
              GROUP BY s.volunteer, s.day HAVING sum(s.minutes) > 0) d
    ), islands AS (
        SELECT volunteer, day,
               sum(CASE WHEN previous IS NULL OR day > previous + 365 THEN 1 ELSE 0 END)
                   OVER (PARTITION BY volunteer ORDER BY day) AS island
        FROM days
    ), covers AS (
        SELECT i.volunteer, v.area,
               GREATEST(min(i.day), v.registered_on) AS starts,
               LEAST(max(i.day) + 364, COALESCE(v.withdrawn_on - 1, 'infinity'::date)) AS ends
        FROM islands i JOIN volunteer v ON v.id = i.volunteer
        GROUP BY i.volunteer, v.area, v.registered_on, v.withdrawn_on, i.island
    ), fresh AS (
        INSERT INTO stats_active_interval (volunteer, area, starts, ends)
        SELECT volunteer, area, starts, ends FROM covers WHERE starts <= ends
        RETURNING area, starts, ends
    ), changes AS (
        SELECT area, starts AS day, -1 AS delta FROM old
        UNION ALL SELECT area, ends + 1, 1 FROM old
        UNION ALL SELECT area, starts, 1 FROM fresh
        UNION ALL SELECT area, ends + 1, -1 FROM fresh
    )
    INSERT INTO stats_delta_change SELECT 'active', area, day, delta FROM changes;

    -- 4. registration and activity deltas, per day and per month
    INSERT INTO stats_registered_delta (area, day, delta)
    SELECT area, day, sum(delta) FROM stats_delta_change WHERE kind = 'registered' GROUP BY area, day
    ON CONFLICT (area, day) DO UPDATE SET delta = stats_registered_delta.delta + EXCLUDED.delta;
    INSERT INTO stats_registered_month (area, month, delta)
    SELECT area, date_trunc('month', day)::date, sum(delta) FROM stats_delta_change WHERE kind = 'registered'
    GROUP BY 1, 2
    ON CONFLICT (area, month) DO UPDATE SET delta = stats_registered_month.delta + EXCLUDED.delta;
    INSERT INTO stats_active_delta (area, day, delta)
    SELECT area, day, sum(delta) FROM stats_delta_change WHERE kind = 'active' GROUP BY area, day
    ON CONFLICT (area, day) DO UPDATE SET delta = stats_active_delta.delta + EXCLUDED.delta;
    INSERT INTO stats_active_month (area, month, delta)
    SELECT area, date_trunc('month', day)::date, sum(delta) FROM stats_delta_change WHERE kind = 'active'
    GROUP BY 1, 2
    ON CONFLICT (area, month) DO UPDATE SET delta = stats_active_month.delta + EXCLUDED.delta;
    TRUNCATE stats_delta_change;
END;
$$;

-- Mark every volunteer dirty (after a bulk load, or to rebuild from scratch).
CREATE OR REPLACE FUNCTION stats_mark_all() RETURNS integer LANGUAGE sql AS $$
    WITH marked AS (
        INSERT INTO stats_dirty (volunteer) SELECT id FROM volunteer ON CONFLICT (volunteer) DO NOTHING RETURNING 1
    ) SELECT count(*)::integer FROM marked
$$;
