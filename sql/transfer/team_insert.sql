-- New teams of an import, active.
INSERT INTO team (name, area, sponsor, founded_on, categories, status, created_at)
SELECT s.name, s.area, s.sponsor, s.founded_on, s.categories, 'active', now()
FROM (SELECT * FROM import_team WHERE target IS NULL ORDER BY row_no) AS s
