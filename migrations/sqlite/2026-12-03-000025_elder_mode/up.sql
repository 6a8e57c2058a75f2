-- 长辈版 (large text, big buttons, only what matters), remembered per account.
ALTER TABLE users ADD COLUMN elder_mode BOOLEAN NOT NULL DEFAULT FALSE;
