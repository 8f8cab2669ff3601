-- One batch of the refresh (stats_refresh() in functions.sql): recompute the derived rows of at most
-- $1 dirty volunteers, in this statement's own transaction; returns how many volunteers it took.
SELECT stats_refresh($1, 1)
