DROP TABLE job_runs;
DROP TABLE job_leases;
DROP TABLE work_order_limits;
DROP TABLE work_order_photos;
DROP TABLE work_order_events;
DROP TABLE work_orders;
