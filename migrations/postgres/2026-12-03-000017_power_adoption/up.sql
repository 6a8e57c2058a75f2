-- The power list is adopted and changed by the villagers: each row from now on cites the
-- decision (of the villagers' or the representatives' meeting) that adopted it. Rows made
-- before have none. Each threshold says whether it is 以上 (at_least: the amount itself needs
-- a decision) or 超过 (above). Rows made before were checked as "above", and keep that.
ALTER TABLE powers ADD COLUMN decision_id BIGINT REFERENCES decisions(id);
ALTER TABLE powers ADD COLUMN comparison TEXT NOT NULL DEFAULT 'above';
