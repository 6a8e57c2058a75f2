-- Inquiries (质询): a supervisor's or resident's question on a disclosure, a payment or a
-- project, answered publicly by the committee within a deadline. Both are append-only; an
-- answer is a leaf of the transparency log.
CREATE TABLE inquiries (
    id INTEGER PRIMARY KEY,
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
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    inquiry_id BIGINT NOT NULL UNIQUE REFERENCES inquiries(id),
    answerer_id BIGINT NOT NULL REFERENCES users(id),
    answer TEXT NOT NULL,
    answered_at TIMESTAMP NOT NULL
);
CREATE TRIGGER inquiries_no_update BEFORE UPDATE ON inquiries
BEGIN SELECT RAISE(ABORT, 'inquiries is append-only'); END;
CREATE TRIGGER inquiries_no_delete BEFORE DELETE ON inquiries
BEGIN SELECT RAISE(ABORT, 'inquiries is append-only'); END;
CREATE TRIGGER inquiry_answers_no_update BEFORE UPDATE ON inquiry_answers
BEGIN SELECT RAISE(ABORT, 'inquiry_answers is append-only'); END;
CREATE TRIGGER inquiry_answers_no_delete BEFORE DELETE ON inquiry_answers
BEGIN SELECT RAISE(ABORT, 'inquiry_answers is append-only'); END;
-- A work order may come from an inquiry (接诉即办 for a question that needs work done).
ALTER TABLE work_orders ADD COLUMN inquiry_id BIGINT REFERENCES inquiries(id);
