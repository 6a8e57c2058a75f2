-- The electorate comes from the roster: a statutory ballot freezes the persons on the roster
-- (not accounts) when it opens; every attendance — an online vote or a signature in the
-- hall — takes the one unique (ballot, person) key, so each person is counted once.
-- A group meeting (村民小组会议) names its group; `roll` marks ballots frozen from the roster
-- (older ballots keep their frozen accounts in ballot_electors).
ALTER TABLE ballots ADD COLUMN grid_id BIGINT REFERENCES grids(id);
ALTER TABLE ballots ADD COLUMN roll BOOLEAN NOT NULL DEFAULT FALSE;

-- Who belongs to the meeting, frozen at opening. Append-only.
CREATE TABLE ballot_roll (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    PRIMARY KEY (ballot_id, person_id)
);
CREATE INDEX ballot_roll_household ON ballot_roll(ballot_id, household_id);

-- Who took part, online ('online', in the vote's transaction) or in the hall ('hall', signed
-- in by a committee member). Append-only; one row per person per ballot.
CREATE TABLE ballot_attendance (
    id BIGSERIAL PRIMARY KEY,
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    via TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX ballot_attendance_once ON ballot_attendance(ballot_id, person_id);

CREATE TRIGGER ballot_roll_append_only BEFORE UPDATE OR DELETE ON ballot_roll
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
CREATE TRIGGER ballot_attendance_append_only BEFORE UPDATE OR DELETE ON ballot_attendance
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
