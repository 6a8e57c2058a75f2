-- Who sits on the 村务监督委员会 and on whose word (村民委员会组织法 art. 32): each appointment
-- or removal of a supervisor cites the decision of the villagers' (representatives') meeting
-- that elected or removed them; a resignation gives its reason instead. Append-only.
CREATE TABLE supervisor_appointments (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    decision_id BIGINT REFERENCES decisions(id),
    reason TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX supervisor_appointments_community ON supervisor_appointments(community_id, id);
CREATE TRIGGER supervisor_appointments_no_update BEFORE UPDATE ON supervisor_appointments
BEGIN SELECT RAISE(ABORT, 'supervisor_appointments is append-only'); END;
CREATE TRIGGER supervisor_appointments_no_delete BEFORE DELETE ON supervisor_appointments
BEGIN SELECT RAISE(ABORT, 'supervisor_appointments is append-only'); END;
