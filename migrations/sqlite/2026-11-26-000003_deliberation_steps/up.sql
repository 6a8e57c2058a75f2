-- 四议两公开: the recorded deliberation steps of a major agenda item. Append-only.
CREATE TABLE agenda_steps (
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
    UNIQUE (item_id, step)
);

CREATE TRIGGER agenda_steps_no_update BEFORE UPDATE ON agenda_steps
BEGIN SELECT RAISE(ABORT, 'agenda_steps is append-only'); END;
CREATE TRIGGER agenda_steps_no_delete BEFORE DELETE ON agenda_steps
BEGIN SELECT RAISE(ABORT, 'agenda_steps is append-only'); END;
