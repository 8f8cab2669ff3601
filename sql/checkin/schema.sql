-- Indexes the Piccolo tables cannot declare: one live code per activity, one scan per nonce,
-- one check-in record per volunteer, activity and day, one live manual record likewise.
CREATE UNIQUE INDEX IF NOT EXISTS checkin_code_live_unique ON checkin_code (activity) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS scan_nonce_unique ON scan (nonce) WHERE nonce IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS service_record_checkin_unique
    ON service_record (volunteer, activity, service_date) WHERE source = 'checkin';
CREATE UNIQUE INDEX IF NOT EXISTS service_record_manual_unique
    ON service_record (volunteer, activity, service_date) WHERE source = 'manual' AND status <> 'rejected';
CREATE INDEX IF NOT EXISTS service_record_inside ON service_record (activity, volunteer) WHERE inside_since IS NOT NULL;
