DELETE FROM comment_flags WHERE comment_id IN (SELECT id FROM comments WHERE disclosure_id IS NOT NULL);
DELETE FROM comment_revisions WHERE comment_id IN (SELECT id FROM comments WHERE disclosure_id IS NOT NULL);
DELETE FROM comments WHERE disclosure_id IS NOT NULL;
DROP INDEX comments_disclosure;
ALTER TABLE comments DROP CONSTRAINT comments_one_target;
ALTER TABLE comments DROP COLUMN disclosure_id;
ALTER TABLE comments ADD CONSTRAINT comments_one_target
    CHECK ((item_id IS NULL) <> (order_id IS NULL));
