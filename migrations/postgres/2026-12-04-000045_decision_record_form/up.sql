-- Which canonical form a decision's transparency-log record takes. Form 1 (every decision
-- published before this) is kept byte for byte, so old leaves still verify; form 2 (new
-- decisions) also carries a mixed meeting's online and hall parts.
ALTER TABLE decisions ADD COLUMN record_form INTEGER NOT NULL DEFAULT 1;
