ALTER TABLE work_orders DROP COLUMN override_reason;
