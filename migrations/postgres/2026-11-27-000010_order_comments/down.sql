DELETE FROM comment_flags WHERE comment_id IN (SELECT id FROM comments WHERE order_id IS NOT NULL);
DELETE FROM comment_revisions WHERE comment_id IN (SELECT id FROM comments WHERE order_id IS NOT NULL);
DELETE FROM comments WHERE order_id IS NOT NULL;
DROP INDEX comments_order;
ALTER TABLE comments DROP CONSTRAINT comments_one_target;
ALTER TABLE comments DROP COLUMN order_id;
ALTER TABLE comments ALTER COLUMN item_id SET NOT NULL;
