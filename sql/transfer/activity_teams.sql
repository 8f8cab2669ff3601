-- After an activity import: find the new activities by their key, then set the organising teams rows named.
UPDATE import_activity s
SET target = a.id
FROM activity a
WHERE s.target IS NULL AND a.title = s.title AND a.area = s.area AND a.starts_at = s.starts_at;

DELETE FROM activity_team t
USING import_activity s
WHERE s.set_teams AND t.activity = s.target;

INSERT INTO activity_team (activity, team)
SELECT s.target, team
FROM import_activity s, unnest(s.team_ids) AS team
WHERE s.set_teams;
