-- A comment may also hang on a disclosure (one thread for all its versions): exactly one of
-- item, order and disclosure is set. SQLite cannot change a CHECK in place, so the table is
-- rebuilt (yishi runs SQLite migrations with foreign-key enforcement off and checks the keys
-- afterwards, as SQLite's documentation prescribes for this procedure).
CREATE TABLE comments_new (
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
    disclosure_id BIGINT REFERENCES disclosures(id),
    CHECK ((item_id IS NOT NULL) + (order_id IS NOT NULL) + (disclosure_id IS NOT NULL) = 1)
);
INSERT INTO comments_new (id, community_id, item_id, order_id, parent_id, author_id, body,
    stance, official, hidden, hidden_reason, revisions, created_at, edited_at, disclosure_id)
SELECT id, community_id, item_id, order_id, parent_id, author_id, body,
    stance, official, hidden, hidden_reason, revisions, created_at, edited_at, NULL
FROM comments;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
CREATE INDEX comments_item ON comments(item_id, id);
CREATE INDEX comments_order ON comments(order_id, id);
CREATE INDEX comments_disclosure ON comments(disclosure_id, id);
CREATE INDEX comments_author ON comments(author_id, created_at);
