-- Projects (一项一码), the power list (小微权力清单) and disbursements. Dates are ISO text
-- (YYYY-MM-DD); money is integer fen. The power list, disbursements and refused attempts are
-- append-only: a changed power is a new row with the same code, and the latest row counts.
CREATE TABLE powers (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    procedure TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    threshold_fen BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX powers_community ON powers(community_id, id);
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    announcement TEXT NOT NULL,
    budget_fen BIGINT NOT NULL,
    contractor TEXT NOT NULL,
    planned_start TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    actual_start TEXT,
    actual_end TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX projects_community ON projects(community_id, id);
CREATE TABLE project_decisions (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    decision_id BIGINT NOT NULL REFERENCES decisions(id),
    PRIMARY KEY (project_id, decision_id)
);
CREATE TABLE disbursements (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    amount_fen BIGINT NOT NULL,
    paid_on TEXT NOT NULL,
    payee TEXT NOT NULL,
    voucher TEXT NOT NULL,
    decision_id BIGINT REFERENCES decisions(id),
    power_code TEXT,
    override_reason TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX disbursements_project ON disbursements(project_id, id);
CREATE INDEX disbursements_community ON disbursements(community_id, id);
CREATE TABLE spend_refusals (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    project_id BIGINT REFERENCES projects(id),
    kind TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    payee TEXT NOT NULL,
    rule TEXT NOT NULL,
    power_code TEXT NOT NULL,
    power_name TEXT NOT NULL,
    threshold_fen BIGINT NOT NULL,
    required_body TEXT NOT NULL,
    decision_id BIGINT REFERENCES decisions(id),
    cited_body TEXT,
    attempted_by BIGINT NOT NULL REFERENCES users(id),
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX spend_refusals_community ON spend_refusals(community_id, id);
ALTER TABLE work_orders ADD COLUMN project_id BIGINT REFERENCES projects(id);
CREATE TRIGGER powers_no_update BEFORE UPDATE ON powers
BEGIN SELECT RAISE(ABORT, 'powers is append-only'); END;
CREATE TRIGGER powers_no_delete BEFORE DELETE ON powers
BEGIN SELECT RAISE(ABORT, 'powers is append-only'); END;
CREATE TRIGGER disbursements_no_update BEFORE UPDATE ON disbursements
BEGIN SELECT RAISE(ABORT, 'disbursements is append-only'); END;
CREATE TRIGGER disbursements_no_delete BEFORE DELETE ON disbursements
BEGIN SELECT RAISE(ABORT, 'disbursements is append-only'); END;
CREATE TRIGGER spend_refusals_no_update BEFORE UPDATE ON spend_refusals
BEGIN SELECT RAISE(ABORT, 'spend_refusals is append-only'); END;
CREATE TRIGGER spend_refusals_no_delete BEFORE DELETE ON spend_refusals
BEGIN SELECT RAISE(ABORT, 'spend_refusals is append-only'); END;
