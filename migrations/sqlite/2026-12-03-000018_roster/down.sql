DROP TABLE roster_changes;
DROP TABLE persons;
DROP INDEX households_number;
ALTER TABLE households DROP COLUMN representative_id;
ALTER TABLE households DROP COLUMN number;
