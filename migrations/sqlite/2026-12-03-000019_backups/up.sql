-- One row per run of the backup timer (issue #16): when it ran, where it wrote, whether it
-- worked and whether the copy verified. The supervisors' page shows the last verified one.
CREATE TABLE backups (
    id INTEGER PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    path TEXT NOT NULL,
    ok BOOLEAN NOT NULL,
    verified BOOLEAN NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX backups_good ON backups(verified, started_at);
