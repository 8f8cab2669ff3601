-- Changed activities of an import (title, area and start are the key and stay; status is not imported).
UPDATE activity a
SET category = s.category, venue = s.venue, ends_at = s.ends_at, capacity = s.capacity
FROM import_activity s
WHERE a.id = s.target
