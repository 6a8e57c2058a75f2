ALTER TABLE agenda_steps DROP COLUMN photo;
