-- A timeline line may be a step that leaves the order's state as it is (sent up to the
-- township, taken there, sent back): its name, empty for a change of state.
ALTER TABLE work_order_events ADD COLUMN step TEXT NOT NULL DEFAULT '';
-- An order the committee sent up to its township by hand (逐级上报): sent, then taken (on
-- the township's clock) or sent back with instructions. At most one open at a time.
CREATE TABLE order_escalations (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    order_id BIGINT NOT NULL REFERENCES work_orders(id),
    township_id BIGINT NOT NULL REFERENCES communities(id),
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    sent_by BIGINT NOT NULL REFERENCES users(id),
    sent_at TIMESTAMP NOT NULL,
    handled_by BIGINT REFERENCES users(id),
    handled_at TIMESTAMP,
    due_at TIMESTAMP,
    instructions TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX order_escalations_one_open ON order_escalations(order_id)
WHERE state IN ('sent', 'taken');
CREATE INDEX order_escalations_township ON order_escalations(township_id, state);
