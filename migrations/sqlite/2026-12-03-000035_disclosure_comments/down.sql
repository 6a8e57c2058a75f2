DELETE FROM comment_flags WHERE comment_id IN (SELECT id FROM comments WHERE disclosure_id IS NOT NULL);
DELETE FROM comment_revisions WHERE comment_id IN (SELECT id FROM comments WHERE disclosure_id IS NOT NULL);
DELETE FROM comments WHERE disclosure_id IS NOT NULL;
CREATE TABLE comments_old (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT REFERENCES agenda_items(id),
    order_id BIGINT REFERENCES work_orders(id),
    parent_id BIGINT REFERENCES comments(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    stance TEXT,
    official BOOLEAN NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_reason TEXT NOT NULL DEFAULT '',
    revisions BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    CHECK ((item_id IS NULL) <> (order_id IS NULL))
);
INSERT INTO comments_old SELECT id, community_id, item_id, order_id, parent_id, author_id, body,
    stance, official, hidden, hidden_reason, revisions, created_at, edited_at FROM comments;
DROP TABLE comments;
ALTER TABLE comments_old RENAME TO comments;
CREATE INDEX comments_item ON comments(item_id, id);
CREATE INDEX comments_order ON comments(order_id, id);
CREATE INDEX comments_author ON comments(author_id, created_at);
