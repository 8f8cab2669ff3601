-- The activity categories the demo spreads its programme over.
SELECT id, code, name FROM activity_category WHERE is_active ORDER BY sort_order, id
