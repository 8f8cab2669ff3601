-- Hours rules (docs/architecture.md, check-in rule 6) and the one-round-trip scan, as SQL functions.

-- Seconds of [p_from, p_to] that fall inside the activity window [p_start, p_end].
CREATE OR REPLACE FUNCTION checkin_clipped_seconds(
    p_from timestamptz, p_to timestamptz, p_start timestamptz, p_end timestamptz
) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT GREATEST(0, floor(extract(epoch FROM (LEAST(p_to, p_end) - GREATEST(p_from, p_start)))))::integer
$$;

-- Credited minutes: rounded down to the step, capped per day.
CREATE OR REPLACE FUNCTION checkin_minutes(p_seconds integer, p_step integer, p_cap integer)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT LEAST((p_seconds / 60 / p_step) * p_step, p_cap)
$$;

-- Record one check-in or check-out attempt and return the answer (the phone is shown only part of it).
-- The activity comes from p_code (link scans) or p_activity (staff); the volunteer from p_phone
-- (normalised) or p_volunteer. Every attempt, refused or not, adds one row to `scan`.
--
-- A nonce is bound to what it was first sent with: the code (or activity), the phone's volunteer (none for
-- an unknown phone), the action and the kind (scan, or registration). The same again returns the first
-- answer and writes nothing; anything else under a used nonce is refused as `nonce_reused` (logged without
-- the nonce), so a reused nonce never hands out another phone's answer.
--
-- p_registration: NULL for a scan; 'new' when the caller has just registered the phone's volunteer in this
-- transaction (check them in as usual); 'declined' when the caller registered nobody (the phone is already
-- a volunteer's): the answer is then exactly that of a successful registration, and nobody is checked in,
-- so a registration form cannot be used to learn whether a number is registered or to check its owner in.
CREATE OR REPLACE FUNCTION checkin_scan(
    p_code text, p_activity integer, p_phone text, p_volunteer integer,
    p_action text, p_method text, p_nonce text, p_client text,
    p_staff integer, p_reason text, p_now timestamptz, p_registration text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_prior scan%ROWTYPE;
    v_reason text := CASE WHEN p_registration IS NULL THEN p_reason ELSE 'self_registration' END;
    v_activity_id integer := p_activity;
    v_revoked timestamptz;
    v_act activity%ROWTYPE;
    v_vol_id integer;
    v_vol_no text;
    v_vol_name text;
    v_vol_status text;
    v_rec service_record%ROWTYPE;
    v_result text;
    v_at timestamptz := p_now;
    v_opens timestamptz;
    v_closes timestamptz;
    v_seconds integer;
    v_response jsonb;
BEGIN
    IF p_volunteer IS NOT NULL THEN
        SELECT id, volunteer_no, name, status INTO v_vol_id, v_vol_no, v_vol_name, v_vol_status
        FROM volunteer WHERE id = p_volunteer;
    ELSE
        SELECT id, volunteer_no, name, status INTO v_vol_id, v_vol_no, v_vol_name, v_vol_status
        FROM volunteer WHERE phone = p_phone;
    END IF;

    IF p_nonce IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_nonce, 7));
        SELECT * INTO v_prior FROM scan WHERE nonce = p_nonce;
        IF FOUND THEN
            IF v_prior.code IS NOT DISTINCT FROM p_code
               AND (p_code IS NOT NULL OR v_prior.activity IS NOT DISTINCT FROM p_activity)
               AND v_prior.volunteer IS NOT DISTINCT FROM v_vol_id
               AND v_prior.action = p_action
               AND v_prior.reason IS NOT DISTINCT FROM v_reason THEN
                RETURN v_prior.response || jsonb_build_object('replayed', true);
            END IF;
            v_response := jsonb_build_object('result', 'nonce_reused', 'action', p_action, 'at', p_now);
            INSERT INTO scan (at, code, activity, area, volunteer, action, method, nonce, result, staff, reason,
                              client, response)
            VALUES (p_now, p_code, p_activity, NULL, v_vol_id, p_action, p_method, NULL, 'nonce_reused', p_staff,
                    v_reason, p_client, v_response);
            RETURN v_response;
        END IF;
    END IF;

    IF p_code IS NOT NULL THEN
        SELECT activity, revoked_at INTO v_activity_id, v_revoked FROM checkin_code WHERE code = p_code;
        IF NOT FOUND THEN
            v_result := 'unknown_code';
        ELSIF v_revoked IS NOT NULL THEN
            v_result := 'revoked';
        END IF;
    END IF;

    IF v_result IS NULL THEN
        SELECT * INTO v_act FROM activity WHERE id = v_activity_id;
        IF NOT FOUND THEN
            v_result := 'unknown_code';
        ELSE
            v_opens := v_act.starts_at - make_interval(mins => v_act.opens_before_minutes);
            v_closes := v_act.ends_at + make_interval(mins => v_act.closes_after_minutes);
            IF v_act.status = 'cancelled' THEN
                v_result := 'cancelled';
            ELSIF v_act.status = 'completed' OR p_now > v_closes THEN
                v_result := 'closed';
            ELSIF v_act.status = 'draft' OR p_now < v_opens THEN
                v_result := 'not_open_yet';
            END IF;
        END IF;
    END IF;

    IF v_result IS NULL AND p_registration = 'declined' THEN
        v_result := 'registration_declined';
    ELSIF v_result IS NULL AND (v_vol_id IS NULL OR v_vol_status <> 'active') THEN
        v_result := 'unknown_volunteer';
    END IF;

    IF v_result IS NULL AND p_action = 'in' THEN
        INSERT INTO service_record
            (volunteer, activity, area, service_date, source, status, started_at, inside_since, seconds, minutes)
        VALUES
            (v_vol_id, v_act.id, v_act.area, (p_now AT TIME ZONE 'Asia/Shanghai')::date, 'checkin', 'pending',
             p_now, p_now, 0, 0)
        ON CONFLICT (volunteer, activity, service_date) WHERE source = 'checkin' DO NOTHING
        RETURNING * INTO v_rec;
        IF NOT FOUND THEN
            SELECT * INTO v_rec FROM service_record
            WHERE volunteer = v_vol_id AND activity = v_act.id AND source = 'checkin'
              AND service_date = (p_now AT TIME ZONE 'Asia/Shanghai')::date
            FOR UPDATE;
            IF v_rec.inside_since IS NOT NULL OR NOT v_act.reentry_allowed OR v_rec.status = 'rejected' THEN
                v_result := 'already_checked_in';
                v_at := COALESCE(v_rec.inside_since, v_rec.started_at);
            ELSE
                UPDATE service_record
                SET inside_since = p_now, status = 'pending', auto_closed = false, decided_at = NULL
                WHERE id = v_rec.id;
            END IF;
        END IF;
    ELSIF v_result IS NULL THEN
        SELECT * INTO v_rec FROM service_record
        WHERE volunteer = v_vol_id AND activity = v_act.id AND source = 'checkin' AND inside_since IS NOT NULL
        ORDER BY started_at DESC LIMIT 1
        FOR UPDATE;
        IF NOT FOUND THEN
            v_result := 'not_checked_in';
        ELSE
            v_seconds := v_rec.seconds + checkin_clipped_seconds(v_rec.inside_since, p_now, v_act.starts_at, v_act.ends_at);
            UPDATE service_record
            SET inside_since = NULL,
                ended_at = p_now,
                seconds = v_seconds,
                minutes = checkin_minutes(v_seconds, v_act.rounding_minutes, v_act.daily_cap_minutes),
                status = CASE WHEN v_act.approval = 'auto' THEN 'approved' ELSE 'pending' END,
                decided_at = CASE WHEN v_act.approval = 'auto' THEN p_now END
            WHERE id = v_rec.id
            RETURNING * INTO v_rec;
        END IF;
    END IF;

    IF v_result = 'registration_declined' THEN
        -- exactly what a successful registration answers the phone; the scan row says what happened
        v_response := jsonb_build_object('result', 'ok', 'action', p_action, 'at', v_at);
    ELSE
        v_response := jsonb_build_object(
            'result', COALESCE(v_result, 'ok'),
            'action', p_action,
            'at', v_at,
            'activity_id', v_act.id,
            'activity_title', v_act.title,
            'volunteer_no', v_vol_no,
            'volunteer_name', v_vol_name,
            'opens_at', v_opens,
            'closes_at', v_closes
        );
    END IF;
    IF v_result IS NULL AND p_action = 'out' THEN
        v_response := v_response || jsonb_build_object(
            'minutes', v_rec.minutes, 'started_at', v_rec.started_at, 'status', v_rec.status
        );
    END IF;

    INSERT INTO scan (at, code, activity, area, volunteer, action, method, nonce, result, staff, reason, client, response)
    VALUES (p_now, p_code, v_act.id, v_act.area, v_vol_id, p_action, p_method, p_nonce, COALESCE(v_result, 'ok'),
            p_staff, v_reason, p_client, v_response);
    RETURN v_response;
END;
$$;
