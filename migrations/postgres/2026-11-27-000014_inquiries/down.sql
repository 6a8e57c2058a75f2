ALTER TABLE work_orders DROP COLUMN inquiry_id;
DROP TABLE inquiry_answers;
DROP TABLE inquiries;
