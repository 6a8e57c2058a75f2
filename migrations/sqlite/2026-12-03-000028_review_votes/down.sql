ALTER TABLE convening_settings DROP COLUMN delegated;
CREATE TABLE agenda_steps_old (
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
    UNIQUE (item_id, step)
);
INSERT INTO agenda_steps_old (id, community_id, item_id, step, held_on, body, expected,
    present, outcome, minutes, recorded_by, created_at, photo)
SELECT id, community_id, item_id, step, held_on, body, expected,
    present, outcome, minutes, recorded_by, created_at, photo
FROM agenda_steps WHERE round = 1;
DROP TABLE agenda_steps;
ALTER TABLE agenda_steps_old RENAME TO agenda_steps;
CREATE TRIGGER agenda_steps_no_update BEFORE UPDATE ON agenda_steps
BEGIN SELECT RAISE(ABORT, 'agenda_steps is append-only'); END;
CREATE TRIGGER agenda_steps_no_delete BEFORE DELETE ON agenda_steps
BEGIN SELECT RAISE(ABORT, 'agenda_steps is append-only'); END;
