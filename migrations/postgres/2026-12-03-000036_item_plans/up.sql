-- Who answers for an adopted item and when it is planned to be done (列明具体负责人和计划
-- 完成时间), as the committee set them: every setting is kept, the latest stands, so a later
-- change shows on the item's timeline beside the one it replaced.
CREATE TABLE agenda_item_plans (
    id BIGSERIAL PRIMARY KEY,
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
CREATE TRIGGER agenda_item_plans_append_only BEFORE UPDATE OR DELETE ON agenda_item_plans
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
