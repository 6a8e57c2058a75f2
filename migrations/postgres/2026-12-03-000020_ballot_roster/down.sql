DROP TABLE ballot_attendance;
DROP TABLE ballot_roll;
ALTER TABLE ballots DROP COLUMN roll;
ALTER TABLE ballots DROP COLUMN grid_id;
