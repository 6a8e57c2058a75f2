//! Notifications: what a user is told (join approved or declined, a role granted), kept in
//! their inbox with an unread count in the header.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::schema::{communities, notifications};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub community_id: Option<i64>,
    pub kind: String,
    pub subject: String,
    pub detail: String,
    pub link: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
    pub mailed_at: Option<NaiveDateTime>,
}

/// What to tell a user: `kind` picks the text (`notify.KIND` in the locale files), `subject`
/// fills its `{subject}`, `detail` is shown beneath (a reason, say).
pub struct Notice<'a> {
    pub user_id: i64,
    pub community_id: Option<i64>,
    pub kind: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
    pub link: &'a str,
}

pub fn notify(conn: &mut AnyConnection, n: &Notice, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::user_id.eq(n.user_id),
            notifications::community_id.eq(n.community_id),
            notifications::kind.eq(n.kind),
            notifications::subject.eq(n.subject),
            notifications::detail.eq(n.detail),
            notifications::link.eq(n.link),
            notifications::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest notifications of a user, each with the kind of its community (village,
/// neighbourhood, township; none for the platform's own), so that it says 村委会 or 居委会.
pub fn inbox(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> QueryResult<Vec<(Notification, Option<String>)>> {
    notifications::table
        .left_join(
            communities::table.on(notifications::community_id.eq(communities::id.nullable())),
        )
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id.desc())
        .limit(limit)
        .select((Notification::as_select(), communities::kind.nullable()))
        .load(conn)
}

pub fn mark_all_read(
    conn: &mut AnyConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now)))
    .execute(conn)
}
