-- Fresh planner statistics for the big tables just loaded, so the counts that follow do not
-- plan for empty tables (autovacuum analyses the rest after the commit).
ANALYZE volunteer, service_record
