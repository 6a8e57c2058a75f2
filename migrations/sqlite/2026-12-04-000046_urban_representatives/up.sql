-- A neighbourhood's 居民代表会议 (城市居民委员会组织法, 2025 revision): whether the community
-- holds one, and its rule as a ballot stores it ("quorum=people>=2/3;pass=present>1/2": the
-- share of all its members present, the share of those present for). Each setting is kept,
-- the latest in force; none means held, two thirds and more than half. Append-only.
CREATE TABLE urban_rep_settings (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    held BOOLEAN NOT NULL,
    rule TEXT NOT NULL,
    set_by BIGINT NOT NULL REFERENCES users(id),
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX urban_rep_settings_community ON urban_rep_settings(community_id, id);
CREATE TRIGGER urban_rep_settings_no_update BEFORE UPDATE ON urban_rep_settings
BEGIN SELECT RAISE(ABORT, 'urban_rep_settings is append-only'); END;
CREATE TRIGGER urban_rep_settings_no_delete BEFORE DELETE ON urban_rep_settings
BEGIN SELECT RAISE(ABORT, 'urban_rep_settings is append-only'); END;
