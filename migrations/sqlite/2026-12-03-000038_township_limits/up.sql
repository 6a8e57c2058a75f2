-- A township's time limit for the orders its staff take (乡镇办理时限), in working days:
-- each setting is kept, the latest in force; none means the default (five).
CREATE TABLE township_limits (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    working_days INTEGER NOT NULL,
    set_by BIGINT NOT NULL REFERENCES users(id),
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX township_limits_community ON township_limits(community_id, id);
