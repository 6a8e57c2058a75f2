DROP TABLE urban_rep_settings;
