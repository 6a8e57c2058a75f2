-- The transparency log: one leaf per publication, appended in the publishing transaction.
-- log_entries holds each leaf's text (its canonical, versioned encoding); log_hashes holds the
-- Merkle tree's stored hashes (RFC 6962, indexed as in Go's tlog / C2SP tlog-tiles), so that
-- roots, proofs and tiles are read without recomputing the tree; log_checkpoints keeps every
-- signed checkpoint served. log_head is the one row each append locks and bumps, which orders
-- concurrent publications.
CREATE TABLE log_entries (
    idx BIGINT PRIMARY KEY,
    community_id BIGINT REFERENCES communities(id),
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    content_sha256 TEXT NOT NULL,
    entry TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX log_entries_record ON log_entries(kind, record_id);
CREATE INDEX log_entries_community ON log_entries(community_id, idx);
CREATE TABLE log_hashes (
    id BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);
CREATE TABLE log_checkpoints (
    size BIGINT PRIMARY KEY,
    root BYTEA NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE log_head (
    id BIGINT PRIMARY KEY,
    size BIGINT NOT NULL
);
INSERT INTO log_head (id, size) VALUES (1, 0);
CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
CREATE TRIGGER log_hashes_append_only BEFORE UPDATE OR DELETE ON log_hashes
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
