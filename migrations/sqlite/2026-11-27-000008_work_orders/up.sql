-- Work orders (工单): residents' reports and passed decisions become tracked work with an
-- assignee, a due time and a public timeline; periodic jobs hold a lease in the database.
CREATE TABLE work_orders (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    source TEXT NOT NULL,
    decision_id BIGINT REFERENCES decisions(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    place TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    grid_id BIGINT REFERENCES grids(id),
    reporter_id BIGINT REFERENCES users(id),
    anonymous BOOLEAN NOT NULL,
    assignee_id BIGINT REFERENCES users(id),
    state TEXT NOT NULL,
    budget_yuan BIGINT,
    received_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    completed_at TIMESTAMP,
    resolve_minutes BIGINT,
    confirmed_at TIMESTAMP,
    escalated_at TIMESTAMP,
    rating INTEGER,
    rating_comment TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX work_orders_community ON work_orders(community_id, id);
CREATE INDEX work_orders_due ON work_orders(state, due_at);
CREATE INDEX work_orders_assignee ON work_orders(assignee_id, state);
CREATE INDEX work_orders_received ON work_orders(community_id, received_at);
-- Covers the bulletin: counts by completion and the median minutes per grid, index-only.
CREATE INDEX work_orders_completed ON work_orders(community_id, completed_at, grid_id, resolve_minutes);

-- The public timeline of an order. Append-only.
CREATE TABLE work_order_events (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    order_id BIGINT NOT NULL REFERENCES work_orders(id),
    actor_id BIGINT REFERENCES users(id),
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX work_order_events_order ON work_order_events(order_id, id);

-- Photos of an order: `before` (the report) and `after` (the completion).
CREATE TABLE work_order_photos (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    order_id BIGINT NOT NULL REFERENCES work_orders(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    uploader_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX work_order_photos_order ON work_order_photos(order_id, id);

-- A community's time limits per category, in hours (48 when none is set).
CREATE TABLE work_order_limits (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    category TEXT NOT NULL,
    hours BIGINT NOT NULL,
    PRIMARY KEY (community_id, category)
);

-- Who runs the periodic jobs: one holder at a time, until the lease runs out.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until TIMESTAMP NOT NULL
);

-- Runs that must happen once (a day's reminders, a week's list): the key decides.
CREATE TABLE job_runs (
    name TEXT NOT NULL,
    run_key TEXT NOT NULL,
    ran_at TIMESTAMP NOT NULL,
    PRIMARY KEY (name, run_key)
);

CREATE TRIGGER work_order_events_no_update BEFORE UPDATE ON work_order_events
BEGIN SELECT RAISE(ABORT, 'work_order_events is append-only'); END;
CREATE TRIGGER work_order_events_no_delete BEFORE DELETE ON work_order_events
BEGIN SELECT RAISE(ABORT, 'work_order_events is append-only'); END;
