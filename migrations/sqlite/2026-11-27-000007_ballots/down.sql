DROP TABLE decision_countersigns;
DROP TABLE decisions;
DROP TABLE hall_results;
DROP TABLE ballot_choices;
DROP TABLE ballot_voters;
DROP TABLE ballot_electors;
DROP TABLE ballots;
