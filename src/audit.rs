//! The action log: every committee and admin action (appointments, verifications,
//! declines) is appended here in the same transaction as the action. Append-only: database
//! triggers refuse UPDATE and DELETE on it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::schema::{action_log, users};

pub struct Entry<'a> {
    pub community_id: Option<i64>,
    pub actor_id: i64,
    pub action: &'a str,
    pub target_user_id: Option<i64>,
    pub detail: &'a str,
    pub reason: &'a str,
}

/// Actions that change who holds an office: each is also published in the transparency log.
const LOGGED: [&str; 2] = ["appoint", "revoke"];

pub fn record(conn: &mut AnyConnection, e: &Entry, now: NaiveDateTime) -> QueryResult<()> {
    let id: i64 = diesel::insert_into(action_log::table)
        .values((
            action_log::community_id.eq(e.community_id),
            action_log::actor_id.eq(e.actor_id),
            action_log::action.eq(e.action),
            action_log::target_user_id.eq(e.target_user_id),
            action_log::detail.eq(e.detail),
            action_log::reason.eq(e.reason),
            action_log::created_at.eq(now),
        ))
        .returning(action_log::id)
        .get_result(conn)?;
    if LOGGED.contains(&e.action) {
        crate::transparency::records::publish(
            conn,
            crate::transparency::log::Kind::RoleGrant,
            e.community_id,
            id,
            now,
        )?;
    }
    Ok(())
}

#[derive(Clone, Debug)]
pub struct LogRow {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: String,
    pub reason: String,
    pub at: NaiveDateTime,
}

type RawRow = (i64, i64, String, Option<i64>, String, String, NaiveDateTime);

/// A page of a community's log, newest first, before `before` (keyset), in two queries.
pub fn page(
    conn: &mut AnyConnection,
    community_id: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<LogRow>> {
    let mut q = action_log::table
        .filter(action_log::community_id.eq(community_id))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(action_log::id.lt(b));
    }
    let rows: Vec<RawRow> = q
        .order(action_log::id.desc())
        .limit(limit)
        .select((
            action_log::id,
            action_log::actor_id,
            action_log::action,
            action_log::target_user_id,
            action_log::detail,
            action_log::reason,
            action_log::created_at,
        ))
        .load(conn)?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    ids.extend(rows.iter().filter_map(|r| r.3));
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, actor, action, target, detail, reason, at)| LogRow {
            id,
            actor: names.get(&actor).cloned().unwrap_or_default(),
            action,
            target: target.and_then(|t| names.get(&t).cloned()),
            detail,
            reason,
            at,
        })
        .collect())
}
