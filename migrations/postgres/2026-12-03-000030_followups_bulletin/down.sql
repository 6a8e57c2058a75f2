DROP TABLE bulletin_publications;
DROP TABLE bulletin_floors;
DROP TABLE followup_calls;
DROP TABLE followup_picks;
DROP TABLE followup_draws;
