DROP TABLE order_escalations;
ALTER TABLE work_order_events DROP COLUMN step;
