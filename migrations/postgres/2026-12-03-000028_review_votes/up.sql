-- 党员大会审议 records its votes (for, against); a review that does not agree sends the item
-- back to 商议, which is then recorded again in a new round.
ALTER TABLE agenda_steps ADD COLUMN votes_for BIGINT;
ALTER TABLE agenda_steps ADD COLUMN votes_against BIGINT;
ALTER TABLE agenda_steps ADD COLUMN round BIGINT NOT NULL DEFAULT 1;
ALTER TABLE agenda_steps DROP CONSTRAINT agenda_steps_item_id_step_key;
ALTER TABLE agenda_steps ADD CONSTRAINT agenda_steps_item_step_round UNIQUE (item_id, step, round);

-- Art. 24: the matters (agenda categories) the villagers' meeting has delegated to the
-- representatives' meeting, comma-separated.
ALTER TABLE convening_settings ADD COLUMN delegated TEXT NOT NULL DEFAULT '';
