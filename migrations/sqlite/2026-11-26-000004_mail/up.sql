-- When a notification was handed to the mailer (NULL: not yet, or the user has no e-mail).
ALTER TABLE notifications ADD COLUMN mailed_at TIMESTAMP;
