-- The first volunteer number the demo hands out (align_sequences moves the sequence past the last).
SELECT nextval('volunteer_no_seq')
