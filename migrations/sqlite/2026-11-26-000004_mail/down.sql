ALTER TABLE notifications DROP COLUMN mailed_at;
