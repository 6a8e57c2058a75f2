//! Comments, their revisions and flags in the database. A thread loads in one query and
//! is laid out in memory (`rules::layout_thread`), whatever its length.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::schema::{
    agenda_items, comment_flags, comment_revisions, comments, disclosure_versions, users,
    work_orders,
};

/// What a thread hangs on: an agenda item, a work order or a disclosure (all its versions
/// share one thread). All share one table, one layout and one set of actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Item(i64),
    Order(i64),
    Disclosure(i64),
}

impl Target {
    /// The page the thread is on.
    pub fn page(self, slug: &str) -> String {
        match self {
            Target::Item(id) => format!("/c/{slug}/items/{id}"),
            Target::Order(id) => format!("/c/{slug}/orders/{id}"),
            Target::Disclosure(id) => format!("/c/{slug}/disclosures/{id}"),
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: i64,
    pub community_id: i64,
    pub item_id: Option<i64>,
    pub order_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub body: String,
    pub stance: Option<String>,
    pub official: bool,
    pub hidden: bool,
    pub hidden_reason: String,
    pub revisions: i64,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub disclosure_id: Option<i64>,
}

impl Comment {
    pub fn target(&self) -> Target {
        match (self.item_id, self.order_id, self.disclosure_id) {
            (Some(id), _, _) => Target::Item(id),
            (None, Some(id), _) => Target::Order(id),
            (None, None, Some(id)) => Target::Disclosure(id),
            // The table's CHECK makes this unreachable; an order id of 0 finds nothing.
            (None, None, None) => Target::Order(0),
        }
    }
}

#[derive(Queryable, Clone, Debug)]
pub struct ThreadRow {
    #[diesel(embed)]
    pub comment: Comment,
    pub author: String,
}

/// Every comment of an item, order or disclosure with its author's name, oldest first: one
/// query.
pub fn thread(conn: &mut AnyConnection, target: Target) -> QueryResult<Vec<ThreadRow>> {
    let q = comments::table.inner_join(users::table).into_boxed();
    let q = match target {
        Target::Item(id) => q.filter(comments::item_id.eq(id)),
        Target::Order(id) => q.filter(comments::order_id.eq(id)),
        Target::Disclosure(id) => q.filter(comments::disclosure_id.eq(id)),
    };
    q.order(comments::id)
        .select((Comment::as_select(), users::display_name))
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, community_id: i64, id: i64) -> QueryResult<Option<Comment>> {
    comments::table
        .filter(comments::community_id.eq(community_id))
        .filter(comments::id.eq(id))
        .select(Comment::as_select())
        .first(conn)
        .optional()
}

pub struct NewComment<'a> {
    pub community_id: i64,
    pub target: Target,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub body: &'a str,
    pub stance: Option<&'a str>,
    pub official: bool,
}

/// Adds a comment and counts it on its item, in the caller's transaction.
pub fn insert(conn: &mut AnyConnection, c: &NewComment, now: NaiveDateTime) -> QueryResult<i64> {
    let (item_id, order_id, disclosure_id) = match c.target {
        Target::Item(id) => (Some(id), None, None),
        Target::Order(id) => (None, Some(id), None),
        Target::Disclosure(id) => (None, None, Some(id)),
    };
    let id = diesel::insert_into(comments::table)
        .values((
            comments::community_id.eq(c.community_id),
            comments::item_id.eq(item_id),
            comments::order_id.eq(order_id),
            comments::disclosure_id.eq(disclosure_id),
            comments::parent_id.eq(c.parent_id),
            comments::author_id.eq(c.author_id),
            comments::body.eq(c.body),
            comments::stance.eq(c.stance),
            comments::official.eq(c.official),
            comments::created_at.eq(now),
        ))
        .returning(comments::id)
        .get_result(conn)?;
    if let Some(item_id) = item_id {
        diesel::update(agenda_items::table.find(item_id))
            .set((
                agenda_items::comment_count.eq(agenda_items::comment_count + 1),
                agenda_items::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// Replaces the text, keeping the old one as a revision anyone can read.
pub fn edit(
    conn: &mut AnyConnection,
    c: &Comment,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(comment_revisions::table)
        .values((
            comment_revisions::community_id.eq(c.community_id),
            comment_revisions::comment_id.eq(c.id),
            comment_revisions::body.eq(&c.body),
            comment_revisions::created_at.eq(c.edited_at.unwrap_or(c.created_at)),
        ))
        .execute(conn)?;
    diesel::update(comments::table.find(c.id))
        .set((
            comments::body.eq(body),
            comments::revisions.eq(comments::revisions + 1),
            comments::edited_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Earlier texts of a comment, oldest first, with the time each was written.
pub fn revisions(
    conn: &mut AnyConnection,
    comment_id: i64,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    comment_revisions::table
        .filter(comment_revisions::comment_id.eq(comment_id))
        .order(comment_revisions::id)
        .select((comment_revisions::body, comment_revisions::created_at))
        .load(conn)
}

pub fn set_hidden(
    conn: &mut AnyConnection,
    id: i64,
    hidden: bool,
    reason: &str,
) -> QueryResult<bool> {
    diesel::update(
        comments::table
            .find(id)
            .filter(comments::hidden.eq(!hidden)),
    )
    .set((
        comments::hidden.eq(hidden),
        comments::hidden_reason.eq(reason),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Records a flag; `false` if this user had flagged the comment already.
pub fn flag(
    conn: &mut AnyConnection,
    c: &Comment,
    user_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n: i64 = comment_flags::table
        .filter(comment_flags::comment_id.eq(c.id))
        .filter(comment_flags::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if n > 0 {
        return Ok(false);
    }
    diesel::insert_into(comment_flags::table)
        .values((
            comment_flags::community_id.eq(c.community_id),
            comment_flags::comment_id.eq(c.id),
            comment_flags::user_id.eq(user_id),
            comment_flags::reason.eq(reason),
            comment_flags::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Flags on a thread's comments (comment id, reason), for the committee: one query.
pub fn flags_on(conn: &mut AnyConnection, target: Target) -> QueryResult<Vec<(i64, String)>> {
    let q = comment_flags::table
        .inner_join(comments::table.on(comment_flags::comment_id.eq(comments::id)))
        .into_boxed();
    let q = match target {
        Target::Item(id) => q.filter(comments::item_id.eq(id)),
        Target::Order(id) => q.filter(comments::order_id.eq(id)),
        Target::Disclosure(id) => q.filter(comments::disclosure_id.eq(id)),
    };
    q.order(comment_flags::id)
        .select((comment_flags::comment_id, comment_flags::reason))
        .load(conn)
}

/// Everyone who has written in a disclosure's thread, once each: one query. They are the
/// thread's followers (a disclosure keeps no follow list of its own).
pub fn disclosure_commenters(
    conn: &mut AnyConnection,
    disclosure_id: i64,
) -> QueryResult<Vec<i64>> {
    comments::table
        .filter(comments::disclosure_id.eq(disclosure_id))
        .select(comments::author_id)
        .distinct()
        .order(comments::author_id)
        .load(conn)
}

/// When the user last posted, newest first, within `since`.
pub fn recent_posts(
    conn: &mut AnyConnection,
    user_id: i64,
    since: NaiveDateTime,
) -> QueryResult<Vec<NaiveDateTime>> {
    comments::table
        .filter(comments::author_id.eq(user_id))
        .filter(comments::created_at.gt(since))
        .order(comments::id.desc())
        .select(comments::created_at)
        .load(conn)
}

/// A flagged or hidden comment, for the supervisors' page.
#[derive(Queryable, Clone, Debug)]
pub struct ModerationRow {
    pub comment_id: i64,
    pub item_id: Option<i64>,
    pub order_id: Option<i64>,
    pub item_title: Option<String>,
    pub order_title: Option<String>,
    pub hidden: bool,
    pub hidden_reason: String,
    pub flags: i64,
    pub disclosure_id: Option<i64>,
    /// The title the disclosure was first published with.
    pub disclosure_title: Option<String>,
}

impl ModerationRow {
    pub fn link(&self, slug: &str) -> String {
        match (self.item_id, self.order_id, self.disclosure_id) {
            (Some(id), _, _) => Target::Item(id).page(slug),
            (None, None, Some(id)) => Target::Disclosure(id).page(slug),
            (None, id, _) => Target::Order(id.unwrap_or(0)).page(slug),
        }
    }

    pub fn title(&self) -> &str {
        self.item_title
            .as_deref()
            .or(self.order_title.as_deref())
            .or(self.disclosure_title.as_deref())
            .unwrap_or("")
    }
}

/// Comments of a community that are hidden or flagged, newest first: one query.
pub fn moderation(
    conn: &mut AnyConnection,
    community_id: i64,
    limit: i64,
) -> QueryResult<Vec<ModerationRow>> {
    let flag_count = comment_flags::table
        .filter(comment_flags::comment_id.eq(comments::id))
        .count()
        .single_value();
    comments::table
        .left_join(agenda_items::table.on(comments::item_id.eq(agenda_items::id.nullable())))
        .left_join(work_orders::table.on(comments::order_id.eq(work_orders::id.nullable())))
        .left_join(
            disclosure_versions::table.on(comments::disclosure_id
                .eq(disclosure_versions::disclosure_id.nullable())
                .and(disclosure_versions::version.eq(1))),
        )
        .filter(comments::community_id.eq(community_id))
        .filter(comments::hidden.eq(true).or(diesel::dsl::exists(
            comment_flags::table.filter(comment_flags::comment_id.eq(comments::id)),
        )))
        .order(comments::id.desc())
        .limit(limit)
        .select((
            comments::id,
            comments::item_id,
            comments::order_id,
            agenda_items::title.nullable(),
            work_orders::title.nullable(),
            comments::hidden,
            comments::hidden_reason,
            flag_count.assume_not_null(),
            comments::disclosure_id,
            disclosure_versions::title.nullable(),
        ))
        .load(conn)
}

/// (comment id, author, the order's privacy) of those of `ids` that are comments on orders:
/// one query, for pages that name a comment's author outside its thread.
pub fn on_orders(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, i64, crate::work_orders::rules::Privacy)>> {
    let rows: Vec<(i64, i64, bool, Option<i64>)> = comments::table
        .inner_join(work_orders::table.on(comments::order_id.eq(work_orders::id.nullable())))
        .filter(comments::id.eq_any(ids))
        .select((
            comments::id,
            comments::author_id,
            work_orders::anonymous,
            work_orders::reporter_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, author, anonymous, reporter_id)| {
            (
                id,
                author,
                crate::work_orders::rules::Privacy {
                    anonymous,
                    reporter_id,
                },
            )
        })
        .collect())
}
