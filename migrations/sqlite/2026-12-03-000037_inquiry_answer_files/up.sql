-- What the committee attached to its answer to an inquiry (a PDF or a photo, stored by the
-- uploads machinery), published with the answer and append-only like it.
CREATE TABLE inquiry_answer_files (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    inquiry_id BIGINT NOT NULL REFERENCES inquiries(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL
);
CREATE INDEX inquiry_answer_files_inquiry ON inquiry_answer_files(inquiry_id, id);
CREATE TRIGGER inquiry_answer_files_no_update BEFORE UPDATE ON inquiry_answer_files
BEGIN SELECT RAISE(ABORT, 'inquiry_answer_files is append-only'); END;
CREATE TRIGGER inquiry_answer_files_no_delete BEFORE DELETE ON inquiry_answer_files
BEGIN SELECT RAISE(ABORT, 'inquiry_answer_files is append-only'); END;
