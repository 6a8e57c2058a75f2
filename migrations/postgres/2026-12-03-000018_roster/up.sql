-- The roster (村民名册 / 居民名册): the community's households and persons, the base of every
-- statutory quorum. Kept by the committee, imported from its spreadsheet; every change kept in
-- roster_changes. No ID-card numbers: we do not need them and must not hold them.
ALTER TABLE households ADD COLUMN number TEXT NOT NULL DEFAULT '';
-- The household's representative (户代表): casts the household's vote when named.
ALTER TABLE households ADD COLUMN representative_id BIGINT;
CREATE INDEX households_number ON households(community_id, number);

CREATE TABLE persons (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    name TEXT NOT NULL,
    -- 'm' | 'f'
    sex TEXT NOT NULL,
    birth_date DATE NOT NULL,
    -- 出生年月 without a day: birth_date is the first of the month.
    birth_month_only BOOLEAN NOT NULL DEFAULT FALSE,
    -- 与户主关系 (户主, 配偶, 子, 女, ...)
    relation TEXT NOT NULL DEFAULT '',
    -- 村民小组 / 组别, as a grid of the community
    grid_id BIGINT REFERENCES grids(id),
    phone TEXT NOT NULL DEFAULT '',
    -- 'listed' (在册) | 'moved' (迁出) | 'deceased' (去世)
    status TEXT NOT NULL DEFAULT 'listed',
    status_date DATE,
    status_note TEXT NOT NULL DEFAULT '',
    -- The account linked to this person when the committee verified it: at most one.
    user_id BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX persons_household ON persons(community_id, household_id);
CREATE INDEX persons_name ON persons(community_id, name);
CREATE UNIQUE INDEX persons_account ON persons(community_id, user_id);

-- Every change to the roster: who, when, what, and the record as it stood after the change
-- (JSON), so that a person's record as of any date can be shown. Append-only.
CREATE TABLE roster_changes (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    person_id BIGINT REFERENCES persons(id),
    household_id BIGINT REFERENCES households(id),
    changed_by BIGINT NOT NULL REFERENCES users(id),
    changed_at TIMESTAMP NOT NULL,
    what TEXT NOT NULL,
    snapshot TEXT NOT NULL
);
CREATE INDEX roster_changes_person ON roster_changes(person_id, changed_at);
CREATE INDEX roster_changes_community ON roster_changes(community_id, id);

CREATE TRIGGER roster_changes_append_only BEFORE UPDATE OR DELETE ON roster_changes
FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();
