//! Agenda items, supports, the stage timeline and follows in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::{Stage, Step};
use crate::db::AnyConnection;
use crate::schema::{
    agenda_events, agenda_items, agenda_steps, agenda_supports, follows, photos, users,
};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = agenda_items)]
pub struct Item {
    pub id: i64,
    pub community_id: i64,
    pub author_id: i64,
    pub origin: String,
    pub title: String,
    pub body: String,
    pub category: String,
    pub stage: String,
    pub major: bool,
    pub support_count: i64,
    pub comment_count: i64,
    pub threshold: i64,
    pub respond_by: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Item {
    pub fn stage(&self) -> Stage {
        Stage::parse(&self.stage).unwrap_or(Stage::Proposed)
    }

    pub fn stage_key(&self) -> String {
        self.stage().label_key()
    }

    pub fn category_key(&self) -> String {
        format!("category.{}", self.category)
    }
}

pub const ORIGIN_PROPOSAL: &str = "proposal";
pub const ORIGIN_COMMITTEE: &str = "committee";

pub struct NewItem<'a> {
    pub community_id: i64,
    pub author_id: i64,
    pub origin: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub category: &'a str,
    pub stage: Stage,
    pub major: bool,
    pub threshold: i64,
    pub respond_by: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, n: &NewItem, now: NaiveDateTime) -> QueryResult<i64> {
    let id = diesel::insert_into(agenda_items::table)
        .values((
            agenda_items::community_id.eq(n.community_id),
            agenda_items::author_id.eq(n.author_id),
            agenda_items::origin.eq(n.origin),
            agenda_items::title.eq(n.title),
            agenda_items::body.eq(n.body),
            agenda_items::category.eq(n.category),
            agenda_items::stage.eq(n.stage.as_str()),
            agenda_items::major.eq(n.major),
            agenda_items::threshold.eq(n.threshold),
            agenda_items::respond_by.eq(n.respond_by),
            agenda_items::created_at.eq(now),
            agenda_items::updated_at.eq(now),
        ))
        .returning(agenda_items::id)
        .get_result(conn)?;
    let created = StageMove {
        from: n.stage,
        to: n.stage,
        actor: Some(n.author_id),
        note: "",
    };
    record_event(conn, (n.community_id, id), None, &created, now)?;
    follow(conn, n.community_id, id, n.author_id, now)?;
    Ok(id)
}

pub fn find(conn: &mut AnyConnection, community_id: i64, id: i64) -> QueryResult<Option<Item>> {
    agenda_items::table
        .filter(agenda_items::community_id.eq(community_id))
        .filter(agenda_items::id.eq(id))
        .select(Item::as_select())
        .first(conn)
        .optional()
}

/// Marks item `id` a major matter (四议两公开); false if it already was. Only
/// `agenda::service::advance_as_major` calls this, with the move that makes it so.
pub(in crate::agenda) fn mark_major(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    let n = diesel::update(
        agenda_items::table
            .filter(agenda_items::id.eq(id))
            .filter(agenda_items::major.eq(false)),
    )
    .set(agenda_items::major.eq(true))
    .execute(conn)?;
    Ok(n == 1)
}

/// One stage move as the timeline keeps it.
pub struct StageMove<'a> {
    pub from: Stage,
    pub to: Stage,
    /// Who moved it; `None` for the clock.
    pub actor: Option<i64>,
    pub note: &'a str,
}

/// Moves an item to `m.to` if it is still at `m.from` (a concurrent move loses), with its
/// timeline entry. Only `agenda::service::advance` calls this: it checks the move first.
pub(in crate::agenda) fn move_stage(
    conn: &mut AnyConnection,
    item: &Item,
    m: &StageMove,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        agenda_items::table
            .filter(agenda_items::id.eq(item.id))
            .filter(agenda_items::stage.eq(m.from.as_str())),
    )
    .set((
        agenda_items::stage.eq(m.to.as_str()),
        agenda_items::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 1 {
        record_event(conn, (item.community_id, item.id), Some(m.from), m, now)?;
    }
    Ok(n == 1)
}

/// A timeline entry for the item `(community, id)`; `from` is `None` when it is created.
fn record_event(
    conn: &mut AnyConnection,
    (community_id, item_id): (i64, i64),
    from: Option<Stage>,
    m: &StageMove,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(agenda_events::table)
        .values((
            agenda_events::community_id.eq(community_id),
            agenda_events::item_id.eq(item_id),
            agenda_events::actor_id.eq(m.actor),
            agenda_events::from_stage.eq(from.map(|s| s.as_str())),
            agenda_events::to_stage.eq(m.to.as_str()),
            agenda_events::note.eq(m.note),
            agenda_events::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// One line of an item's timeline.
#[derive(Queryable, Clone, Debug)]
pub struct EventRow {
    pub to_stage: String,
    pub note: String,
    pub at: NaiveDateTime,
    pub actor: Option<String>,
}

impl EventRow {
    pub fn stage_key(&self) -> String {
        Stage::parse(&self.to_stage)
            .unwrap_or(Stage::Proposed)
            .label_key()
    }
}

pub fn timeline(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<EventRow>> {
    agenda_events::table
        .left_join(users::table.on(agenda_events::actor_id.eq(users::id.nullable())))
        .filter(agenda_events::item_id.eq(item_id))
        .order(agenda_events::id)
        .select((
            agenda_events::to_stage,
            agenda_events::note,
            agenda_events::created_at,
            users::display_name.nullable(),
        ))
        .load(conn)
}

// ---- supports ----

/// Adds a support; `false` if the user had already given one (the unique key decides, so
/// two quick clicks count once). The stored count moves in the same transaction.
pub fn support(
    conn: &mut AnyConnection,
    item: &Item,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let given: i64 = agenda_supports::table
        .filter(agenda_supports::item_id.eq(item.id))
        .filter(agenda_supports::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if given > 0 {
        return Ok(false);
    }
    diesel::insert_into(agenda_supports::table)
        .values((
            agenda_supports::community_id.eq(item.community_id),
            agenda_supports::item_id.eq(item.id),
            agenda_supports::user_id.eq(user_id),
            agenda_supports::created_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(agenda_items::table.find(item.id))
        .set(agenda_items::support_count.eq(agenda_items::support_count + 1))
        .execute(conn)?;
    follow(conn, item.community_id, item.id, user_id, now)?;
    Ok(true)
}

pub fn unsupport(conn: &mut AnyConnection, item: &Item, user_id: i64) -> QueryResult<bool> {
    let n = diesel::delete(
        agenda_supports::table
            .filter(agenda_supports::item_id.eq(item.id))
            .filter(agenda_supports::user_id.eq(user_id)),
    )
    .execute(conn)?;
    if n > 0 {
        diesel::update(agenda_items::table.find(item.id))
            .set(agenda_items::support_count.eq(agenda_items::support_count - 1))
            .execute(conn)?;
    }
    Ok(n > 0)
}

pub fn has_supported(conn: &mut AnyConnection, item_id: i64, user_id: i64) -> QueryResult<bool> {
    let n: i64 = agenda_supports::table
        .filter(agenda_supports::item_id.eq(item_id))
        .filter(agenda_supports::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

// ---- follows ----

pub fn follow(
    conn: &mut AnyConnection,
    community_id: i64,
    item_id: i64,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if is_following(conn, item_id, user_id)? {
        return Ok(());
    }
    diesel::insert_into(follows::table)
        .values((
            follows::community_id.eq(community_id),
            follows::item_id.eq(item_id),
            follows::user_id.eq(user_id),
            follows::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn unfollow(conn: &mut AnyConnection, item_id: i64, user_id: i64) -> QueryResult<usize> {
    diesel::delete(
        follows::table
            .filter(follows::item_id.eq(item_id))
            .filter(follows::user_id.eq(user_id)),
    )
    .execute(conn)
}

pub fn is_following(conn: &mut AnyConnection, item_id: i64, user_id: i64) -> QueryResult<bool> {
    let n: i64 = follows::table
        .filter(follows::item_id.eq(item_id))
        .filter(follows::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn followers(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<i64>> {
    follows::table
        .filter(follows::item_id.eq(item_id))
        .select(follows::user_id)
        .load(conn)
}

// ---- listing ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Newest,
    Supported,
    Discussed,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "supported" => Sort::Supported,
            "discussed" => Sort::Discussed,
            _ => Sort::Newest,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Supported => "supported",
            Sort::Discussed => "discussed",
        }
    }
}

/// Where the previous page ended: the sort key and the id of its last item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

impl Cursor {
    pub fn parse(s: &str) -> Option<Cursor> {
        let (k, i) = s.split_once('_')?;
        Some(Cursor {
            key: k.parse().ok()?,
            id: i.parse().ok()?,
        })
    }

    pub fn encode(self) -> String {
        format!("{}_{}", self.key, self.id)
    }
}

pub struct ListQuery {
    pub stage: Option<Stage>,
    pub category: Option<String>,
    pub search: Option<String>,
    pub sort: Sort,
    pub after: Option<Cursor>,
    pub limit: i64,
}

#[derive(Queryable, Clone, Debug)]
pub struct ListRow {
    #[diesel(embed)]
    pub item: Item,
    pub author: String,
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Escapes `%`, `_` and `\` so user text matches literally in LIKE.
pub fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// One page of a community's items, plus whether more follow. One query.
pub fn list(
    conn: &mut AnyConnection,
    community_id: i64,
    q: &ListQuery,
) -> QueryResult<(Vec<ListRow>, Option<Cursor>)> {
    let mut query = agenda_items::table
        .inner_join(users::table)
        .filter(agenda_items::community_id.eq(community_id))
        .select((Item::as_select(), users::display_name))
        .into_boxed();
    if let Some(stage) = q.stage {
        query = query.filter(agenda_items::stage.eq(stage.as_str()));
    }
    if let Some(c) = &q.category {
        query = query.filter(agenda_items::category.eq(c.clone()));
    }
    if let Some(s) = &q.search {
        let pattern = like_pattern(s);
        query = query.filter(
            lower(agenda_items::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(agenda_items::body).like(pattern).escape('\\')),
        );
    }
    query = match (q.sort, q.after) {
        (Sort::Newest, after) => {
            if let Some(c) = after {
                query = query.filter(agenda_items::id.lt(c.id));
            }
            query.order(agenda_items::id.desc())
        }
        (Sort::Supported, after) => {
            if let Some(c) = after {
                query = query.filter(
                    agenda_items::support_count
                        .lt(c.key)
                        .or(agenda_items::support_count
                            .eq(c.key)
                            .and(agenda_items::id.lt(c.id))),
                );
            }
            query.order((agenda_items::support_count.desc(), agenda_items::id.desc()))
        }
        (Sort::Discussed, after) => {
            if let Some(c) = after {
                query = query.filter(
                    agenda_items::comment_count
                        .lt(c.key)
                        .or(agenda_items::comment_count
                            .eq(c.key)
                            .and(agenda_items::id.lt(c.id))),
                );
            }
            query.order((agenda_items::comment_count.desc(), agenda_items::id.desc()))
        }
    };
    let mut rows: Vec<ListRow> = query.limit(q.limit + 1).load(conn)?;
    let next = if rows.len() as i64 > q.limit {
        rows.truncate(q.limit as usize);
        rows.last().map(|r| Cursor {
            key: match q.sort {
                Sort::Newest => r.item.id,
                Sort::Supported => r.item.support_count,
                Sort::Discussed => r.item.comment_count,
            },
            id: r.item.id,
        })
    } else {
        None
    };
    Ok((rows, next))
}

/// Open proposals past their deadline, for the community page and supervisors.
pub fn overdue(
    conn: &mut AnyConnection,
    community_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Item>> {
    agenda_items::table
        .filter(agenda_items::community_id.eq(community_id))
        .filter(agenda_items::stage.eq(Stage::Proposed.as_str()))
        .filter(agenda_items::respond_by.lt(now))
        .order(agenda_items::respond_by)
        .select(Item::as_select())
        .load(conn)
}

/// The newest items of a community, for its home page and feed.
pub fn recent(conn: &mut AnyConnection, community_id: i64, limit: i64) -> QueryResult<Vec<Item>> {
    agenda_items::table
        .filter(agenda_items::community_id.eq(community_id))
        .order(agenda_items::updated_at.desc())
        .limit(limit)
        .select(Item::as_select())
        .load(conn)
}

// ---- 四议两公开 ----

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = agenda_steps)]
pub struct StepRecord {
    pub id: i64,
    pub step: String,
    pub held_on: NaiveDateTime,
    pub body: String,
    pub expected: i64,
    pub present: i64,
    pub outcome: String,
    pub minutes: String,
    pub created_at: NaiveDateTime,
    pub photo: Option<String>,
    /// The votes of a 党员大会审议 (for, against); none on other steps.
    pub votes_for: Option<i64>,
    pub votes_against: Option<i64>,
    /// Which time the step was recorded: a review that did not agree starts a new round.
    pub round: i64,
}

impl StepRecord {
    pub fn kind(&self) -> Option<Step> {
        Step::parse(&self.step)
    }

    /// Did this record carry the item on? Only a review whose vote did not agree does not.
    pub fn agreed(&self) -> bool {
        match (self.kind(), self.votes_for) {
            (Some(Step::Review), Some(f)) => {
                super::rules::review_passes(self.expected, self.present, f)
            }
            _ => true,
        }
    }

    pub fn label_key(&self) -> String {
        format!("steps.{}", self.step)
    }
}

pub fn steps(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<StepRecord>> {
    agenda_steps::table
        .filter(agenda_steps::item_id.eq(item_id))
        .order(agenda_steps::id)
        .select(StepRecord::as_select())
        .load(conn)
}

pub struct NewStep<'a> {
    pub step: Step,
    pub held_on: NaiveDateTime,
    pub body: &'a str,
    pub expected: i64,
    pub present: i64,
    pub outcome: &'a str,
    pub minutes: &'a str,
    pub photo: Option<&'a str>,
}

/// Records a step; the unique key refuses a second record of the same step.
pub fn record_step(
    conn: &mut AnyConnection,
    item: &Item,
    s: &NewStep,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    record_deliberation(conn, item, s, None, 1, by, now)
}

/// Records a step with the review's votes (for, against) in round `round`; the unique key
/// refuses a second record of the same step in the same round.
pub fn record_deliberation(
    conn: &mut AnyConnection,
    item: &Item,
    s: &NewStep,
    votes: Option<(i64, i64)>,
    round: i64,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(agenda_steps::table)
        .values((
            agenda_steps::community_id.eq(item.community_id),
            agenda_steps::item_id.eq(item.id),
            agenda_steps::step.eq(s.step.as_str()),
            agenda_steps::held_on.eq(s.held_on),
            agenda_steps::body.eq(s.body),
            agenda_steps::expected.eq(s.expected),
            agenda_steps::present.eq(s.present),
            agenda_steps::outcome.eq(s.outcome),
            agenda_steps::minutes.eq(s.minutes),
            agenda_steps::recorded_by.eq(by),
            agenda_steps::created_at.eq(now),
            agenda_steps::photo.eq(s.photo),
            agenda_steps::votes_for.eq(votes.map(|v| v.0)),
            agenda_steps::votes_against.eq(votes.map(|v| v.1)),
            agenda_steps::round.eq(round),
        ))
        .execute(conn)?;
    diesel::update(agenda_items::table.find(item.id))
        .set(agenda_items::updated_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Records the published implementation result (实施结果公开) beside the four
/// deliberations.
pub fn record_result(
    conn: &mut AnyConnection,
    item: &Item,
    text: &str,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(agenda_steps::table)
        .values((
            agenda_steps::community_id.eq(item.community_id),
            agenda_steps::item_id.eq(item.id),
            agenda_steps::step.eq(super::rules::RESULT_STEP),
            agenda_steps::held_on.eq(now),
            agenda_steps::body.eq(""),
            agenda_steps::expected.eq(0),
            agenda_steps::present.eq(0),
            agenda_steps::outcome.eq(""),
            agenda_steps::minutes.eq(text),
            agenda_steps::recorded_by.eq(by),
            agenda_steps::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

// ---- photos ----

pub fn add_photo(
    conn: &mut AnyConnection,
    item: (i64, i64),
    uploader: i64,
    name: &str,
    size: (u32, u32),
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(photos::table)
        .values((
            photos::community_id.eq(item.0),
            photos::item_id.eq(Some(item.1)),
            photos::uploader_id.eq(uploader),
            photos::name.eq(name),
            photos::width.eq(i64::from(size.0)),
            photos::height.eq(i64::from(size.1)),
            photos::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// File names of an item's photos, in upload order.
pub fn photos_of(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<String>> {
    photos::table
        .filter(photos::item_id.eq(Some(item_id)))
        .order(photos::id)
        .select(photos::name)
        .load(conn)
}

/// Titles of some items, for lists that name them.
pub fn titles(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    agenda_items::table
        .filter(agenda_items::id.eq_any(ids))
        .select((agenda_items::id, agenda_items::title))
        .load(conn)
}
