-- Foundation: accounts, sessions, communities, grids, households, memberships,
-- join requests, notifications and the append-only action log.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    phone TEXT UNIQUE,
    email TEXT UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    CHECK (phone IS NOT NULL OR email IS NOT NULL)
);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_id ON sessions(user_id);

CREATE TABLE login_failures (
    id BIGSERIAL PRIMARY KEY,
    bucket TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_bucket ON login_failures(bucket, failed_at);

CREATE TABLE communities (
    id BIGSERIAL PRIMARY KEY,
    parent_id BIGINT REFERENCES communities(id),
    kind TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE grids (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (community_id, name)
);

CREATE TABLE households (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    grid_id BIGINT REFERENCES grids(id),
    address TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX households_community ON households(community_id);

CREATE TABLE memberships (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    household_id BIGINT REFERENCES households(id),
    grid_id BIGINT REFERENCES grids(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (community_id, user_id, role)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE join_requests (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    address TEXT NOT NULL,
    grid_id BIGINT REFERENCES grids(id),
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    household_id BIGINT REFERENCES households(id),
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX join_requests_community ON join_requests(community_id, status);

CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    community_id BIGINT REFERENCES communities(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);

CREATE TABLE action_log (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT REFERENCES communities(id),
    actor_id BIGINT NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    target_user_id BIGINT REFERENCES users(id),
    detail TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX action_log_community ON action_log(community_id, id);

CREATE FUNCTION yishi_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER action_log_append_only BEFORE UPDATE OR DELETE ON action_log
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
