-- Fill the monthly sums from the daily tables (once, when they are introduced).
INSERT INTO stats_registered_month (area, month, delta)
SELECT area, date_trunc('month', day)::date, sum(delta) FROM stats_registered_delta GROUP BY 1, 2
ON CONFLICT (area, month) DO NOTHING;
INSERT INTO stats_active_month (area, month, delta)
SELECT area, date_trunc('month', day)::date, sum(delta) FROM stats_active_delta GROUP BY 1, 2
ON CONFLICT (area, month) DO NOTHING;
INSERT INTO stats_area_month (area, month, source, minutes, records)
SELECT area, date_trunc('month', day)::date, source, sum(minutes), sum(records) FROM stats_area_day GROUP BY 1, 2, 3
ON CONFLICT (area, month, source) DO NOTHING;
INSERT INTO stats_place_month (area, month, source, minutes, records)
SELECT area, date_trunc('month', day)::date, source, sum(minutes), sum(records) FROM stats_place_day GROUP BY 1, 2, 3
ON CONFLICT (area, month, source) DO NOTHING;
