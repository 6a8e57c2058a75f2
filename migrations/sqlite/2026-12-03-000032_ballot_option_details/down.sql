DROP TABLE ballot_option_details;
