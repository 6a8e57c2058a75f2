DROP TABLE agenda_steps;
