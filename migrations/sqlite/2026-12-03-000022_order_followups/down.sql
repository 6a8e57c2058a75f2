DROP TABLE work_order_ratings;
