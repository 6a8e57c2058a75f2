-- A project's acceptance (验收): the day the finished work was inspected, who inspected and
-- signed it, their opinion, and a photo of the signed record. Append-only: a later
-- acceptance (a re-inspection) is a new row, the first stays.
CREATE TABLE project_acceptances (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    accepted_on TEXT NOT NULL,
    accepted_by TEXT NOT NULL,
    opinion TEXT NOT NULL,
    photo TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX project_acceptances_project ON project_acceptances(project_id, id);
CREATE TRIGGER project_acceptances_no_update BEFORE UPDATE ON project_acceptances
BEGIN SELECT RAISE(ABORT, 'project_acceptances is append-only'); END;
CREATE TRIGGER project_acceptances_no_delete BEFORE DELETE ON project_acceptances
BEGIN SELECT RAISE(ABORT, 'project_acceptances is append-only'); END;
