-- Two demo builds take turns: the second finds the first one's district and refuses.
SELECT pg_advisory_xact_lock(hashtext('volunteers.demo'))
