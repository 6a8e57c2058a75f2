DROP TABLE township_limits;
