-- A work order whose budget the power list refused may still be made in an emergency, with a
-- written reason that is published (in the order's log leaf) and flagged to the supervisors.
ALTER TABLE work_orders ADD COLUMN override_reason TEXT NOT NULL DEFAULT '';
