ALTER TABLE convening_settings DROP COLUMN delegated;
ALTER TABLE agenda_steps DROP CONSTRAINT agenda_steps_item_step_round;
ALTER TABLE agenda_steps DROP COLUMN round;
ALTER TABLE agenda_steps DROP COLUMN votes_against;
ALTER TABLE agenda_steps DROP COLUMN votes_for;
ALTER TABLE agenda_steps ADD CONSTRAINT agenda_steps_item_id_step_key UNIQUE (item_id, step);
