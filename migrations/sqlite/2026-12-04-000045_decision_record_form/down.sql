ALTER TABLE decisions DROP COLUMN record_form;
