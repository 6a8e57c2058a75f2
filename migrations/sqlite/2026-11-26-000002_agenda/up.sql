-- Agenda: proposals and agenda items, supports, the stage timeline, comment threads with
-- edit history and flags, and follows. Counts shown on lists are stored on the item and
-- kept in the same transaction as the write.
ALTER TABLE communities ADD COLUMN support_percent BIGINT NOT NULL DEFAULT 5;
ALTER TABLE communities ADD COLUMN support_minimum BIGINT NOT NULL DEFAULT 3;
ALTER TABLE communities ADD COLUMN response_days BIGINT NOT NULL DEFAULT 15;

CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    origin TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    stage TEXT NOT NULL,
    major BOOLEAN NOT NULL,
    support_count BIGINT NOT NULL DEFAULT 0,
    comment_count BIGINT NOT NULL DEFAULT 0,
    threshold BIGINT NOT NULL,
    respond_by TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agenda_items_community ON agenda_items(community_id, id);

CREATE TABLE agenda_supports (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (item_id, user_id)
);

CREATE TABLE agenda_events (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    actor_id BIGINT REFERENCES users(id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agenda_events_item ON agenda_events(item_id, id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    parent_id BIGINT REFERENCES comments(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    stance TEXT,
    official BOOLEAN NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_reason TEXT NOT NULL DEFAULT '',
    revisions BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP
);
CREATE INDEX comments_item ON comments(item_id, id);
CREATE INDEX comments_author ON comments(author_id, created_at);

CREATE TABLE comment_revisions (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    comment_id BIGINT NOT NULL REFERENCES comments(id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comment_revisions_comment ON comment_revisions(comment_id, id);

CREATE TABLE comment_flags (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    comment_id BIGINT NOT NULL REFERENCES comments(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (comment_id, user_id)
);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (item_id, user_id)
);
CREATE INDEX follows_user ON follows(user_id);

CREATE TRIGGER agenda_events_no_update BEFORE UPDATE ON agenda_events
BEGIN SELECT RAISE(ABORT, 'agenda_events is append-only'); END;
CREATE TRIGGER agenda_events_no_delete BEFORE DELETE ON agenda_events
BEGIN SELECT RAISE(ABORT, 'agenda_events is append-only'); END;
CREATE TRIGGER comment_revisions_no_update BEFORE UPDATE ON comment_revisions
BEGIN SELECT RAISE(ABORT, 'comment_revisions is append-only'); END;
CREATE TRIGGER comment_revisions_no_delete BEFORE DELETE ON comment_revisions
BEGIN SELECT RAISE(ABORT, 'comment_revisions is append-only'); END;
