DROP TABLE project_acceptances;
