DROP TABLE oversight_settings;
DROP TABLE voucher_reviews;
ALTER TABLE spend_refusals DROP COLUMN total_fen;
ALTER TABLE spend_refusals DROP COLUMN adds_up_with;
