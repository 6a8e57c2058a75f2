ALTER TABLE disclosures DROP COLUMN due_on;
