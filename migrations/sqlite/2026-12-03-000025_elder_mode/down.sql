ALTER TABLE users DROP COLUMN elder_mode;
