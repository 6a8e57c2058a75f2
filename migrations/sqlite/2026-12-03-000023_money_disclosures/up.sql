-- Money that cannot be split around the power list, and the supervisors' review of vouchers.
-- A refusal of a split payment names the earlier payments it adds up with ("id:fen,id:fen")
-- and the running total.
ALTER TABLE spend_refusals ADD COLUMN adds_up_with TEXT NOT NULL DEFAULT '';
ALTER TABLE spend_refusals ADD COLUMN total_fen BIGINT;

-- 监委会审查签署: a supervisor reviews a payment's voucher, with a note, or raises a query
-- (which becomes an inquiry). Append-only: a later review is a new row.
CREATE TABLE voucher_reviews (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    disbursement_id BIGINT NOT NULL REFERENCES disbursements(id),
    reviewer_id BIGINT NOT NULL REFERENCES users(id),
    -- 'reviewed' | 'queried'
    verdict TEXT NOT NULL,
    note TEXT NOT NULL,
    inquiry_id BIGINT REFERENCES inquiries(id),
    reviewed_at TIMESTAMP NOT NULL
);
CREATE INDEX voucher_reviews_disbursement ON voucher_reviews(community_id, disbursement_id);
CREATE TRIGGER voucher_reviews_no_update BEFORE UPDATE ON voucher_reviews
BEGIN SELECT RAISE(ABORT, 'voucher_reviews is append-only'); END;
CREATE TRIGGER voucher_reviews_no_delete BEFORE DELETE ON voucher_reviews
BEGIN SELECT RAISE(ABORT, 'voucher_reviews is append-only'); END;

-- A community's oversight settings; no row means the defaults.
CREATE TABLE oversight_settings (
    community_id BIGINT PRIMARY KEY REFERENCES communities(id),
    -- unreviewed payments older than this are listed for the supervisors
    voucher_review_days BIGINT NOT NULL DEFAULT 10,
    -- the committee answers an inquiry within this many days
    inquiry_days BIGINT NOT NULL DEFAULT 7,
    updated_at TIMESTAMP NOT NULL
);
