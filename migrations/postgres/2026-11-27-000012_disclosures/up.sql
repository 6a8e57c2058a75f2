-- Village affairs disclosures (村务公开). A disclosure is a category and a period; what it
-- says lives in versions: the first publication and each correction (with its reason). Every
-- version, its ledger lines and its attachments are append-only, and each version is a leaf
-- of the transparency log. A community's cadence per category is append-only too: the newest
-- setting counts.
CREATE TABLE disclosures (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    category TEXT NOT NULL,
    period TEXT NOT NULL,
    decision_id BIGINT REFERENCES decisions(id),
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX disclosures_community ON disclosures(community_id, category, period);
CREATE TABLE disclosure_versions (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    responsible TEXT NOT NULL,
    opening_fen BIGINT,
    reason TEXT NOT NULL DEFAULT '',
    published_by BIGINT NOT NULL REFERENCES users(id),
    published_at TIMESTAMP NOT NULL,
    UNIQUE (disclosure_id, version)
);
CREATE INDEX disclosure_versions_community ON disclosure_versions(community_id, id);
CREATE TABLE ledger_lines (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    version_id BIGINT NOT NULL REFERENCES disclosure_versions(id),
    line_no INTEGER NOT NULL,
    paid_on DATE NOT NULL,
    description TEXT NOT NULL,
    income_fen BIGINT NOT NULL,
    expense_fen BIGINT NOT NULL,
    counterparty TEXT NOT NULL,
    voucher TEXT NOT NULL
);
CREATE INDEX ledger_lines_version ON ledger_lines(version_id, line_no);
CREATE TABLE disclosure_files (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    version_id BIGINT NOT NULL REFERENCES disclosure_versions(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL
);
CREATE INDEX disclosure_files_version ON disclosure_files(version_id, id);
CREATE TABLE disclosure_cadences (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    category TEXT NOT NULL,
    cadence TEXT NOT NULL,
    since DATE NOT NULL,
    grace_days INTEGER NOT NULL,
    set_by BIGINT NOT NULL REFERENCES users(id),
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX disclosure_cadences_community ON disclosure_cadences(community_id, category, id);
CREATE TRIGGER disclosures_append_only BEFORE UPDATE OR DELETE ON disclosures
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
CREATE TRIGGER disclosure_versions_append_only BEFORE UPDATE OR DELETE ON disclosure_versions
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
CREATE TRIGGER disclosure_files_append_only BEFORE UPDATE OR DELETE ON disclosure_files
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
CREATE TRIGGER disclosure_cadences_append_only BEFORE UPDATE OR DELETE ON disclosure_cadences
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
