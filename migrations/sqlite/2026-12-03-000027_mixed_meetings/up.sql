-- A meeting held in the hall and online at once (线上线下结合): the decision keeps the hall's
-- part (those signed in on the register and the paper count per option) beside the total,
-- so the online part is the difference. Older decisions have no hall part (0, '').
ALTER TABLE decisions ADD COLUMN hall_present BIGINT NOT NULL DEFAULT 0;
ALTER TABLE decisions ADD COLUMN hall_counts TEXT NOT NULL DEFAULT '';
-- The register reads who signed in at the hall, by way of attendance.
CREATE INDEX ballot_attendance_via ON ballot_attendance(ballot_id, via);
