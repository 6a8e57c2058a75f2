-- Ballots (表决) and decisions: a question put to a deciding body, its electorate frozen at
-- opening, who took part, the secret choices kept apart from the voters, meeting results
-- awaiting a second committee member, and the published, immutable decisions.
CREATE TABLE ballots (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    body TEXT NOT NULL,
    mode TEXT NOT NULL,
    secret BOOLEAN NOT NULL,
    options TEXT NOT NULL,
    rule TEXT NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    electorate BIGINT NOT NULL,
    households BIGINT NOT NULL,
    cast_count BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX ballots_item ON ballots(item_id);
CREATE INDEX ballots_due ON ballots(state, closes_at);
CREATE INDEX ballots_community ON ballots(community_id, id);

-- Who may vote, frozen when the ballot opens. Append-only.
CREATE TABLE ballot_electors (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    household_id BIGINT REFERENCES households(id),
    PRIMARY KEY (ballot_id, user_id)
);

-- The fact of voting: one row per voter (or per household on a household ballot), enforced
-- by the unique index. `choice` is filled only on a roll-call ballot, where it is public.
CREATE TABLE ballot_voters (
    id INTEGER PRIMARY KEY,
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    voter_key BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    household_id BIGINT REFERENCES households(id),
    choice INTEGER
);
CREATE UNIQUE INDEX ballot_voters_once ON ballot_voters(ballot_id, voter_key);

-- What was voted on a secret ballot, apart from who voted: no voter, no time, and (WITHOUT
-- ROWID) no insertion sequence; rows are kept in tracker order. Append-only.
CREATE TABLE ballot_choices (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    tracker TEXT NOT NULL,
    choice INTEGER NOT NULL,
    PRIMARY KEY (ballot_id, tracker)
) WITHOUT ROWID;

-- A result recorded from the hall, waiting for a second committee member (four eyes); or a
-- correction of a published decision (`corrects_id`), which waits the same way.
CREATE TABLE hall_results (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    present BIGINT NOT NULL,
    households_present BIGINT NOT NULL,
    counts TEXT NOT NULL,
    minutes TEXT NOT NULL,
    photo TEXT,
    state TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMP,
    reason TEXT NOT NULL DEFAULT '',
    corrects_id BIGINT,
    correction_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hall_results_ballot ON hall_results(ballot_id);

-- Published decisions: everything needed to recompute the result. Append-only; a
-- correction is a new row naming the one it corrects.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    corrects_id BIGINT REFERENCES decisions(id),
    correction_reason TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    mode TEXT NOT NULL,
    secret BOOLEAN NOT NULL,
    options TEXT NOT NULL,
    rule TEXT NOT NULL,
    electorate BIGINT NOT NULL,
    households BIGINT NOT NULL,
    present BIGINT NOT NULL,
    households_present BIGINT NOT NULL,
    counts TEXT NOT NULL,
    quorum_met BOOLEAN NOT NULL,
    verdict TEXT NOT NULL,
    leading_option INTEGER,
    minutes TEXT NOT NULL DEFAULT '',
    photo TEXT,
    board_sha256 TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT REFERENCES users(id),
    confirmed_by BIGINT REFERENCES users(id),
    published_at TIMESTAMP NOT NULL
);
CREATE INDEX decisions_community ON decisions(community_id, id);
CREATE INDEX decisions_item ON decisions(item_id);
CREATE INDEX decisions_ballot ON decisions(ballot_id);

-- A supervisor's countersignature on a decision. Append-only.
CREATE TABLE decision_countersigns (
    id INTEGER PRIMARY KEY,
    decision_id BIGINT NOT NULL REFERENCES decisions(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (decision_id, user_id)
);

CREATE TRIGGER ballot_electors_no_update BEFORE UPDATE ON ballot_electors
BEGIN SELECT RAISE(ABORT, 'ballot_electors is append-only'); END;
CREATE TRIGGER ballot_electors_no_delete BEFORE DELETE ON ballot_electors
BEGIN SELECT RAISE(ABORT, 'ballot_electors is append-only'); END;
CREATE TRIGGER ballot_voters_no_update BEFORE UPDATE ON ballot_voters
BEGIN SELECT RAISE(ABORT, 'ballot_voters is append-only'); END;
CREATE TRIGGER ballot_voters_no_delete BEFORE DELETE ON ballot_voters
BEGIN SELECT RAISE(ABORT, 'ballot_voters is append-only'); END;
CREATE TRIGGER ballot_choices_no_update BEFORE UPDATE ON ballot_choices
BEGIN SELECT RAISE(ABORT, 'ballot_choices is append-only'); END;
CREATE TRIGGER ballot_choices_no_delete BEFORE DELETE ON ballot_choices
BEGIN SELECT RAISE(ABORT, 'ballot_choices is append-only'); END;
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions is append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions is append-only'); END;
CREATE TRIGGER decision_countersigns_no_update BEFORE UPDATE ON decision_countersigns
BEGIN SELECT RAISE(ABORT, 'decision_countersigns is append-only'); END;
CREATE TRIGGER decision_countersigns_no_delete BEFORE DELETE ON decision_countersigns
BEGIN SELECT RAISE(ABORT, 'decision_countersigns is append-only'); END;
