-- Inquiries (质询): a supervisor's or resident's question on a disclosure, a payment or a
-- project, answered publicly by the committee within a deadline. Both are append-only; an
-- answer is a leaf of the transparency log.
CREATE TABLE inquiries (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    subject_kind TEXT NOT NULL,
    subject_id BIGINT,
    asker_id BIGINT NOT NULL REFERENCES users(id),
    question TEXT NOT NULL,
    asked_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL
);
CREATE INDEX inquiries_community ON inquiries(community_id, id);
CREATE INDEX inquiries_subject ON inquiries(subject_kind, subject_id);
CREATE TABLE inquiry_answers (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    inquiry_id BIGINT NOT NULL UNIQUE REFERENCES inquiries(id),
    answerer_id BIGINT NOT NULL REFERENCES users(id),
    answer TEXT NOT NULL,
    answered_at TIMESTAMP NOT NULL
);
CREATE TRIGGER inquiries_append_only BEFORE UPDATE OR DELETE ON inquiries
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
CREATE TRIGGER inquiry_answers_append_only BEFORE UPDATE OR DELETE ON inquiry_answers
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
-- A work order may come from an inquiry (接诉即办 for a question that needs work done).
ALTER TABLE work_orders ADD COLUMN inquiry_id BIGINT REFERENCES inquiries(id);
