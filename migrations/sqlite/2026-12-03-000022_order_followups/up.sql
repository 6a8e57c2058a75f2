-- Every rating a reporter gave an order, kept when a reopening asks for a new one. Append-only.
CREATE TABLE work_order_ratings (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    order_id BIGINT NOT NULL REFERENCES work_orders(id),
    rater_id BIGINT NOT NULL REFERENCES users(id),
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX work_order_ratings_order ON work_order_ratings(order_id, id);
CREATE TRIGGER work_order_ratings_no_update BEFORE UPDATE ON work_order_ratings
BEGIN SELECT RAISE(ABORT, 'work_order_ratings is append-only'); END;
CREATE TRIGGER work_order_ratings_no_delete BEFORE DELETE ON work_order_ratings
BEGIN SELECT RAISE(ABORT, 'work_order_ratings is append-only'); END;
-- Ratings given before this migration enter the history as they stand.
INSERT INTO work_order_ratings (community_id, order_id, rater_id, rating, comment, created_at)
SELECT community_id, id, reporter_id, rating, rating_comment, updated_at FROM work_orders
WHERE rating IS NOT NULL AND reporter_id IS NOT NULL;
