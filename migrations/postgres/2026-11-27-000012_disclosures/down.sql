DROP TABLE disclosure_cadences;
DROP TABLE disclosure_files;
DROP TABLE ledger_lines;
DROP TABLE disclosure_versions;
DROP TABLE disclosures;
