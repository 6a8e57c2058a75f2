-- A comment belongs to an agenda item or to a work order: the thread mechanism is shared.
ALTER TABLE comments ALTER COLUMN item_id DROP NOT NULL;
ALTER TABLE comments ADD COLUMN order_id BIGINT REFERENCES work_orders(id);
ALTER TABLE comments ADD CONSTRAINT comments_one_target
    CHECK ((item_id IS NULL) <> (order_id IS NULL));
CREATE INDEX comments_order ON comments(order_id, id);
