-- Who answers for an adopted item and when it is planned to be done (列明具体负责人和计划
-- 完成时间), as the committee set them: every setting is kept, the latest stands, so a later
-- change shows on the item's timeline beside the one it replaced.
CREATE TABLE agenda_item_plans (
    id INTEGER PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    responsible TEXT NOT NULL,
    due_on DATE NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    set_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agenda_item_plans_item ON agenda_item_plans(item_id, id);
CREATE INDEX agenda_item_plans_community ON agenda_item_plans(community_id, item_id);
CREATE TRIGGER agenda_item_plans_no_update BEFORE UPDATE ON agenda_item_plans
BEGIN SELECT RAISE(ABORT, 'agenda_item_plans is append-only'); END;
CREATE TRIGGER agenda_item_plans_no_delete BEFORE DELETE ON agenda_item_plans
BEGIN SELECT RAISE(ABORT, 'agenda_item_plans is append-only'); END;
