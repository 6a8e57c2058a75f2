-- The last on-time day of a disclosure, fixed when it is published (from the cadence then
-- in force), so that a late publication says so for good. NULL for those published before
-- this column existed and for those with no due date (miscellaneous, decisions not cited).
ALTER TABLE disclosures ADD COLUMN due_on DATE;
