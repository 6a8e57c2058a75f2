DROP TABLE log_head;
DROP TABLE log_checkpoints;
DROP TABLE log_hashes;
DROP TABLE log_entries;
