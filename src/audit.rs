//! The action log: every committee and admin action (appointments, verifications,
//! declines) is appended here in the same transaction as the action. Append-only: database
//! triggers refuse UPDATE and DELETE on it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::schema::{action_log, users};

/// What a committee member or an admin did. The stored name of each is part of the action
/// log (and of a role change's logged content), so it never changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    CreateCommunity,
    VerifyResident,
    DeclineJoin,
    Appoint,
    Revoke,
    Settings,
    AddGrid,
    OrderLimits,
    OpenBallot,
    RecordResult,
    ConfirmResult,
    Countersign,
    HideComment,
    UnhideComment,
    PowerChange,
    CreateApiKey,
    RevokeApiKey,
    Roster,
    /// The working calendar (public holidays, make-up working days) changed.
    Calendar,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::CreateCommunity,
        Action::VerifyResident,
        Action::DeclineJoin,
        Action::Appoint,
        Action::Revoke,
        Action::Settings,
        Action::AddGrid,
        Action::OrderLimits,
        Action::OpenBallot,
        Action::RecordResult,
        Action::ConfirmResult,
        Action::Countersign,
        Action::HideComment,
        Action::UnhideComment,
        Action::PowerChange,
        Action::CreateApiKey,
        Action::RevokeApiKey,
        Action::Roster,
        Action::Calendar,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::CreateCommunity => "create_community",
            Action::VerifyResident => "verify_resident",
            Action::DeclineJoin => "decline_join",
            Action::Appoint => "appoint",
            Action::Revoke => "revoke",
            Action::Settings => "settings",
            Action::AddGrid => "add_grid",
            Action::OrderLimits => "order_limits",
            Action::OpenBallot => "open_ballot",
            Action::RecordResult => "record_result",
            Action::ConfirmResult => "confirm_result",
            Action::Countersign => "countersign",
            Action::HideComment => "hide_comment",
            Action::UnhideComment => "unhide_comment",
            Action::PowerChange => "power_change",
            Action::CreateApiKey => "create_api_key",
            Action::RevokeApiKey => "revoke_api_key",
            Action::Roster => "roster",
            Action::Calendar => "calendar",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether the action changes who holds an office: each such action is also published
    /// in the transparency log, as a role change. (A change of the power list is published
    /// by the projects feature itself, as its own kind.)
    pub fn logged(self) -> bool {
        matches!(self, Action::Appoint | Action::Revoke)
    }
}

pub struct Entry<'a> {
    pub community_id: Option<i64>,
    pub actor_id: i64,
    pub action: Action,
    pub target_user_id: Option<i64>,
    pub detail: &'a str,
    pub reason: &'a str,
}

/// A community's setting changed by `by`, said in `detail` (修改设置 in the action log).
pub fn setting_changed(
    conn: &mut AnyConnection,
    community_id: i64,
    by: i64,
    detail: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let e = Entry {
        community_id: Some(community_id),
        actor_id: by,
        action: Action::Settings,
        target_user_id: None,
        detail,
        reason: "",
    };
    record(conn, &e, now)
}

pub fn record(conn: &mut AnyConnection, e: &Entry, now: NaiveDateTime) -> QueryResult<()> {
    let id: i64 = diesel::insert_into(action_log::table)
        .values((
            action_log::community_id.eq(e.community_id),
            action_log::actor_id.eq(e.actor_id),
            action_log::action.eq(e.action.as_str()),
            action_log::target_user_id.eq(e.target_user_id),
            action_log::detail.eq(e.detail),
            action_log::reason.eq(e.reason),
            action_log::created_at.eq(now),
        ))
        .returning(action_log::id)
        .get_result(conn)?;
    if e.action.logged() {
        crate::communities::record::publish_role_change(conn, e.community_id, id, now)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn only_role_changes_are_logged() {
        let logged: Vec<&str> = Action::ALL
            .into_iter()
            .filter(|a| a.logged())
            .map(Action::as_str)
            .collect();
        assert_eq!(logged, ["appoint", "revoke"]);
    }
}
