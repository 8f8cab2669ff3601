-- The area path of a volunteer (for the scope check), or no row. $1 = volunteer id.
SELECT a.path FROM volunteer v JOIN area a ON a.id = v.area WHERE v.id = $1
