-- Sign-in and sign-up throttling by reservation: one row per bucket (an account or a client
-- address), counting the attempts in the current window. An attempt is reserved with one
-- conditional UPDATE before any password is hashed, so parallel attempts cannot all pass
-- the check before the first failure is recorded. Replaces the per-failure rows.
CREATE TABLE attempt_counters (
    bucket TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL
);
DROP TABLE login_failures;
