-- Open memberships (left_on IS NULL) per team, for the teams in $1 (int[]).
SELECT team AS team_id, count(*) AS members
FROM membership
WHERE left_on IS NULL
  AND team = ANY($1::int[])
GROUP BY team
