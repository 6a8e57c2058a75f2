-- What a ballot's named options are, beyond their names: a description, a photo and an
-- estimated cost (fen), as the committee entered them when it opened the ballot. Voters
-- decided on them, so they are append-only like the ballot's choices.
CREATE TABLE ballot_option_details (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    photo TEXT,
    cost_fen BIGINT,
    PRIMARY KEY (ballot_id, position)
);
CREATE TRIGGER ballot_option_details_no_update BEFORE UPDATE ON ballot_option_details
BEGIN SELECT RAISE(ABORT, 'ballot_option_details is append-only'); END;
CREATE TRIGGER ballot_option_details_no_delete BEFORE DELETE ON ballot_option_details
BEGIN SELECT RAISE(ABORT, 'ballot_option_details is append-only'); END;
