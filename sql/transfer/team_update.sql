-- Changed teams of an import (name and area are the key and stay).
UPDATE team t
SET sponsor = s.sponsor, founded_on = s.founded_on, categories = s.categories
FROM import_team s
WHERE t.id = s.target
