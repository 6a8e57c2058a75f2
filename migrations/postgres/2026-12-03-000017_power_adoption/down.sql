ALTER TABLE powers DROP COLUMN comparison;
ALTER TABLE powers DROP COLUMN decision_id;
