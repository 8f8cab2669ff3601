-- Stored teams an import's rows name by (area, name), locked until commit.
SELECT t.id, t.name, t.area, t.sponsor, t.founded_on, t.categories, t.status
FROM team t
JOIN unnest($1::int[], $2::text[]) AS k(area, name) ON k.area = t.area AND k.name = t.name
FOR UPDATE OF t
