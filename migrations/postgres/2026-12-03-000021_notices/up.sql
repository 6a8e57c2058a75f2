-- Convening notices (召集通知, 村民委员会组织法 art. 21): a statutory meeting is announced before its
-- ballot opens — 10 days for the villagers' meeting, the community's period (default 3 days)
-- for the representatives' and group meetings. Published, so append-only.
CREATE TABLE convening_notices (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    -- the meeting convened: 'residents' | 'households' | 'representatives' | 'group'
    body TEXT NOT NULL,
    -- when the meeting is held (UTC)
    meets_at TIMESTAMP NOT NULL,
    place TEXT NOT NULL,
    matters TEXT NOT NULL,
    -- how to vote online (empty: in the hall only)
    online TEXT NOT NULL,
    -- the notice period announced, at least the legal one
    notice_days BIGINT NOT NULL,
    published_by BIGINT NOT NULL REFERENCES users(id),
    published_at TIMESTAMP NOT NULL
);
CREATE INDEX convening_notices_item ON convening_notices(item_id, published_at);
CREATE INDEX convening_notices_community ON convening_notices(community_id, published_at);

CREATE TRIGGER convening_notices_append_only BEFORE UPDATE OR DELETE ON convening_notices
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();

-- The community's notice period for representatives' and group meetings (days; the law's
-- villagers' meeting period of 10 days is not a setting).
CREATE TABLE convening_settings (
    community_id BIGINT PRIMARY KEY REFERENCES communities(id),
    notice_days BIGINT NOT NULL
);
