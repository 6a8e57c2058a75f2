-- A comment may also hang on a disclosure (one thread for all its versions): exactly one of
-- item, order and disclosure is set.
ALTER TABLE comments ADD COLUMN disclosure_id BIGINT REFERENCES disclosures(id);
ALTER TABLE comments DROP CONSTRAINT comments_one_target;
ALTER TABLE comments ADD CONSTRAINT comments_one_target
    CHECK (num_nonnulls(item_id, order_id, disclosure_id) = 1);
CREATE INDEX comments_disclosure ON comments(disclosure_id, id);
