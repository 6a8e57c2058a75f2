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
    hash BLOB NOT NULL
);
CREATE TABLE log_checkpoints (
    size BIGINT PRIMARY KEY,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE log_head (
    id BIGINT PRIMARY KEY,
    size BIGINT NOT NULL
);
INSERT INTO log_head (id, size) VALUES (1, 0);
CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
CREATE TRIGGER log_hashes_no_update BEFORE UPDATE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'log_hashes is append-only'); END;
CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'log_hashes is append-only'); END;
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'log_checkpoints is append-only'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'log_checkpoints is append-only'); END;
