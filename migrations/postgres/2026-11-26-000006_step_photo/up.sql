-- A photo of a deliberation meeting (the sign-in sheet, the hall), by stored file name.
ALTER TABLE agenda_steps ADD COLUMN photo TEXT;
