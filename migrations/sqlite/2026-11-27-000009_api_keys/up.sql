-- Open311 API keys, one or more per community; only the SHA-256 of the key is stored.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    key_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_community ON api_keys(community_id);
