-- What the committee attached to its answer to an inquiry (a PDF or a photo, stored by the
-- uploads machinery), published with the answer and append-only like it.
CREATE TABLE inquiry_answer_files (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    inquiry_id BIGINT NOT NULL REFERENCES inquiries(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL
);
CREATE INDEX inquiry_answer_files_inquiry ON inquiry_answer_files(inquiry_id, id);
CREATE TRIGGER inquiry_answer_files_append_only BEFORE UPDATE OR DELETE ON inquiry_answer_files
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
