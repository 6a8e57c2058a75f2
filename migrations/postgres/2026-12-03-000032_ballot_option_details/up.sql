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
CREATE TRIGGER ballot_option_details_append_only BEFORE UPDATE OR DELETE ON ballot_option_details
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
