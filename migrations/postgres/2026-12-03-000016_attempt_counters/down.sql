DROP TABLE attempt_counters;
CREATE TABLE login_failures (
    id BIGSERIAL PRIMARY KEY,
    bucket TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_bucket ON login_failures(bucket, failed_at);
