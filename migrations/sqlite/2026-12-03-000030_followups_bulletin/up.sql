-- 回访 draws: each month the server draws 10 % (at least 3) of the orders resolved the month
-- before; the seed is kept, so the draw can be checked and never redrawn. One per month.
CREATE TABLE followup_draws (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    seed BIGINT NOT NULL,
    eligible INTEGER NOT NULL,
    drawn_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX followup_draws_month ON followup_draws(community_id, month);
CREATE TRIGGER followup_draws_no_update BEFORE UPDATE ON followup_draws
BEGIN SELECT RAISE(ABORT, 'followup_draws is append-only'); END;
CREATE TRIGGER followup_draws_no_delete BEFORE DELETE ON followup_draws
BEGIN SELECT RAISE(ABORT, 'followup_draws is append-only'); END;
-- The orders a draw picked.
CREATE TABLE followup_picks (
    id INTEGER PRIMARY KEY,
    draw_id BIGINT NOT NULL REFERENCES followup_draws(id),
    community_id BIGINT NOT NULL REFERENCES communities(id),
    order_id BIGINT NOT NULL REFERENCES work_orders(id)
);
CREATE UNIQUE INDEX followup_picks_order ON followup_picks(draw_id, order_id);
CREATE TRIGGER followup_picks_no_update BEFORE UPDATE ON followup_picks
BEGIN SELECT RAISE(ABORT, 'followup_picks is append-only'); END;
CREATE TRIGGER followup_picks_no_delete BEFORE DELETE ON followup_picks
BEGIN SELECT RAISE(ABORT, 'followup_picks is append-only'); END;
-- Each follow-up call's answer; a later call on the same pick supersedes (never edits) it.
CREATE TABLE followup_calls (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    pick_id BIGINT NOT NULL REFERENCES followup_picks(id),
    caller_id BIGINT NOT NULL REFERENCES users(id),
    reached BOOLEAN NOT NULL,
    answer TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX followup_calls_pick ON followup_calls(pick_id, id);
CREATE TRIGGER followup_calls_no_update BEFORE UPDATE ON followup_calls
BEGIN SELECT RAISE(ABORT, 'followup_calls is append-only'); END;
CREATE TRIGGER followup_calls_no_delete BEFORE DELETE ON followup_calls
BEGIN SELECT RAISE(ABORT, 'followup_calls is append-only'); END;
-- The satisfaction floor (a percentage) under which a grid is flagged for 整改; newest wins.
CREATE TABLE bulletin_floors (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    floor_percent INTEGER NOT NULL,
    set_by BIGINT NOT NULL REFERENCES users(id),
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX bulletin_floors_community ON bulletin_floors(community_id, id);
CREATE TRIGGER bulletin_floors_no_update BEFORE UPDATE ON bulletin_floors
BEGIN SELECT RAISE(ABORT, 'bulletin_floors is append-only'); END;
CREATE TRIGGER bulletin_floors_no_delete BEFORE DELETE ON bulletin_floors
BEGIN SELECT RAISE(ABORT, 'bulletin_floors is append-only'); END;
-- The monthly bulletin published as a disclosure, once per community and month.
CREATE TABLE bulletin_publications (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
    flagged TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX bulletin_publications_month ON bulletin_publications(community_id, month);
CREATE TRIGGER bulletin_publications_no_update BEFORE UPDATE ON bulletin_publications
BEGIN SELECT RAISE(ABORT, 'bulletin_publications is append-only'); END;
CREATE TRIGGER bulletin_publications_no_delete BEFORE DELETE ON bulletin_publications
BEGIN SELECT RAISE(ABORT, 'bulletin_publications is append-only'); END;
