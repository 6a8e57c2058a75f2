-- 党员大会审议 records its votes (for, against); a review that does not agree sends the item
-- back to 商议, which is then recorded again in a new round. SQLite cannot change a table's
-- UNIQUE key in place, so agenda_steps is rebuilt (foreign keys are checked afterwards).
CREATE TABLE agenda_steps_new (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    step TEXT NOT NULL,
    held_on TIMESTAMP NOT NULL,
    body TEXT NOT NULL,
    expected BIGINT NOT NULL,
    present BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    minutes TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    photo TEXT,
    votes_for BIGINT,
    votes_against BIGINT,
    round BIGINT NOT NULL DEFAULT 1,
    UNIQUE (item_id, step, round)
);
INSERT INTO agenda_steps_new (id, community_id, item_id, step, held_on, body, expected,
    present, outcome, minutes, recorded_by, created_at, photo)
SELECT id, community_id, item_id, step, held_on, body, expected,
    present, outcome, minutes, recorded_by, created_at, photo
FROM agenda_steps;
DROP TABLE agenda_steps;
ALTER TABLE agenda_steps_new RENAME TO agenda_steps;
CREATE TRIGGER agenda_steps_no_update BEFORE UPDATE ON agenda_steps
BEGIN SELECT RAISE(ABORT, 'agenda_steps is append-only'); END;
CREATE TRIGGER agenda_steps_no_delete BEFORE DELETE ON agenda_steps
BEGIN SELECT RAISE(ABORT, 'agenda_steps is append-only'); END;

-- Art. 24: the matters (agenda categories) the villagers' meeting has delegated to the
-- representatives' meeting, comma-separated.
ALTER TABLE convening_settings ADD COLUMN delegated TEXT NOT NULL DEFAULT '';
