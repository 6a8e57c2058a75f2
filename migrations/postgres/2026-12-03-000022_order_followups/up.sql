-- Every rating a reporter gave an order, kept when a reopening asks for a new one. Append-only.
CREATE TABLE work_order_ratings (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    order_id BIGINT NOT NULL REFERENCES work_orders(id),
    rater_id BIGINT NOT NULL REFERENCES users(id),
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX work_order_ratings_order ON work_order_ratings(order_id, id);
CREATE TRIGGER work_order_ratings_append_only BEFORE UPDATE OR DELETE ON work_order_ratings
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
-- Ratings given before this migration enter the history as they stand.
INSERT INTO work_order_ratings (community_id, order_id, rater_id, rating, comment, created_at)
SELECT community_id, id, reporter_id, rating, rating_comment, updated_at FROM work_orders
WHERE rating IS NOT NULL AND reporter_id IS NOT NULL;
