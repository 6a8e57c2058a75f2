ALTER TABLE work_orders DROP COLUMN project_id;
DROP TABLE spend_refusals;
DROP TABLE disbursements;
DROP TABLE project_decisions;
DROP TABLE projects;
DROP TABLE powers;
