DROP INDEX ballot_attendance_via;
ALTER TABLE decisions DROP COLUMN hall_counts;
ALTER TABLE decisions DROP COLUMN hall_present;
